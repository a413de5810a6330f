/*
 * stats.c - the agreement figures of `imeval compare`: Kendall's tau-b
 * between two rankings and Pearson's correlation of two series of scores,
 * accumulated one pair at a time so that a long run needs no memory.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

double imv_kendall_tau(const double *x, const double *y, size_t n)
{
    /* tau-b: (C - D) / sqrt((C + D + Tx)(C + D + Ty)), where Tx counts the
     * pairs tied in x only and Ty in y only; pairs tied in both count in
     * neither.  O(n^2): rankings here have a handful of models. */
    double c = 0, d = 0, tx = 0, ty = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double a = x[i] - x[j], b = y[i] - y[j];
            if (a == 0 && b == 0)
                continue;
            if (a == 0)
                tx++;
            else if (b == 0)
                ty++;
            else if ((a > 0) == (b > 0))
                c++;
            else
                d++;
        }
    double den = sqrt((c + d + tx) * (c + d + ty));
    return den > 0 ? (c - d) / den : NAN;
}

void imv_pearson_add(imv_pearson *p, double x, double y)
{
    /* Welford's update, stable for long runs of close values. */
    p->n++;
    double dx = x - p->mx;
    p->mx += dx / (double)p->n;
    double dy = y - p->my;
    p->my += dy / (double)p->n;
    p->sxx += dx * (x - p->mx);
    p->syy += dy * (y - p->my);
    p->sxy += dx * (y - p->my);
}

double imv_pearson_r(const imv_pearson *p)
{
    if (p->n < 2 || p->sxx <= 0 || p->syy <= 0)
        return NAN;
    double r = p->sxy / sqrt(p->sxx * p->syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}
