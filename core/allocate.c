/*
 * allocate.c - assign partner councils to councils that need one, exactly.
 *
 * The DfE's question (issue 15): given councils that would gain from a
 * partner and the partner councils available, which pairing gives the
 * most total benefit without stretching any partner?  A partner's fit
 * falls as its commitments grow, and the commitments that count include
 * the ones this allocation adds, so the benefit of a pairing depends on
 * how many councils the partner ends up supporting.  That coupling is
 * what rules out a plain assignment or min-cost-flow model: the benefit
 * is not a fixed cost per edge.  It is an integer programme, solved with
 * GLPK (libglpk), a well-kept solver, rather than a heuristic:
 *
 *   y[p][m] = 1   when partner p supports exactly m councils (m = 1..cap)
 *   x[c][p][m] = 1 when council c is one of them
 *
 *   max  sum (benefit[c][p][m] + eps * neighbouring[c][p]) * x[c][p][m]
 *   s.t. sum_{p,m} x[c][p][m] <= 1           each council at most one partner
 *        sum_m y[p][m] <= 1                  each partner one load level
 *        sum_c x[c][p][m] = m * y[p][m]      that level is what it carries
 *
 * eps is far below the benefits' resolution (0.1 points), so neighbours
 * only break ties.  Pairs whose benefit is not positive or not known
 * (NAN: not viable at that load) get no variable at all.
 */
#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imeval.h"
#include "internal.h"

/* Neighbours break ties only: 150 assignments of this are 0.015 points,
 * well below the 0.1 at which benefits are reported. */
#define NEIGHBOUR_EPS 1e-4

double imv_alloc_benefit(const imv_alloc_problem *pb, size_t c, size_t p, int m)
{
    if (m < 1 || m > pb->capacity[p])
        return NAN;
    return pb->benefit[(c * pb->n_partners + p) * (size_t)pb->max_capacity + (size_t)(m - 1)];
}

static int neighbouring(const imv_alloc_problem *pb, size_t c, size_t p)
{
    return pb->neighbouring && pb->neighbouring[c * pb->n_partners + p];
}

static int usable(double b)
{
    return isfinite(b) && b > 0;
}

int imv_alloc_check(const imv_alloc_problem *pb, char *err, size_t errlen)
{
    if (pb->n_councils > IMV_ALLOC_MAX_COUNCILS || pb->n_partners > IMV_ALLOC_MAX_PARTNERS) {
        snprintf(err, errlen, "%zu councils and %zu partners: at most %d and %d", pb->n_councils,
                 pb->n_partners, IMV_ALLOC_MAX_COUNCILS, IMV_ALLOC_MAX_PARTNERS);
        return IMV_EINVAL;
    }
    if (pb->max_capacity < 0 || pb->max_capacity > IMV_ALLOC_MAX_CAPACITY) {
        snprintf(err, errlen, "capacity %d: expected 0..%d", pb->max_capacity,
                 IMV_ALLOC_MAX_CAPACITY);
        return IMV_EINVAL;
    }
    for (size_t p = 0; p < pb->n_partners; p++)
        if (pb->capacity[p] < 0 || pb->capacity[p] > pb->max_capacity) {
            snprintf(err, errlen, "partner %zu: capacity %d is outside 0..%d", p,
                     pb->capacity[p], pb->max_capacity);
            return IMV_EINVAL;
        }
    return IMV_OK;
}

/* Column bookkeeping: what each GLPK column stands for. */
typedef struct col {
    size_t c, p;      /* c == SIZE_MAX for a y column */
    int m;
} col;

typedef struct lp {
    glp_prob *P;
    col *cols;        /* 1-based, as GLPK counts */
    int n_cols;
    int *ia, *ja;     /* the constraint matrix, 1-based triplets */
    double *ar;
    int n_nz, cap_nz;
} lp;

static void nz(lp *L, int row, int column, double v)
{
    if (L->n_nz + 1 >= L->cap_nz) {
        L->cap_nz = L->cap_nz ? 2 * L->cap_nz : 1024;
        L->ia = imv_xrealloc(L->ia, (size_t)L->cap_nz * sizeof *L->ia);
        L->ja = imv_xrealloc(L->ja, (size_t)L->cap_nz * sizeof *L->ja);
        L->ar = imv_xrealloc(L->ar, (size_t)L->cap_nz * sizeof *L->ar);
    }
    L->n_nz++;
    L->ia[L->n_nz] = row;
    L->ja[L->n_nz] = column;
    L->ar[L->n_nz] = v;
}

static int add_col(lp *L, size_t c, size_t p, int m, double obj)
{
    int j = glp_add_cols(L->P, 1);
    glp_set_col_kind(L->P, j, GLP_BV);
    glp_set_obj_coef(L->P, j, obj);
    L->cols = imv_xrealloc(L->cols, (size_t)(j + 1) * sizeof *L->cols);
    L->cols[j] = (col){ c, p, m };
    L->n_cols = j;
    return j;
}

/* Rows: councils first (1..C), then one per partner (C+1..C+P), then one
 * per (partner, level). */
static void build(lp *L, const imv_alloc_problem *pb)
{
    size_t C = pb->n_councils, Pn = pb->n_partners;
    glp_set_obj_dir(L->P, GLP_MAX);
    if (C)
        glp_add_rows(L->P, (int)C);
    for (size_t c = 0; c < C; c++)
        glp_set_row_bnds(L->P, (int)c + 1, GLP_UP, 0, 1);
    if (Pn)
        glp_add_rows(L->P, (int)Pn);
    for (size_t p = 0; p < Pn; p++)
        glp_set_row_bnds(L->P, (int)(C + p) + 1, GLP_UP, 0, 1);
    for (size_t p = 0; p < Pn; p++) {
        for (int m = 1; m <= pb->capacity[p]; m++) {
            int row = glp_add_rows(L->P, 1);
            glp_set_row_bnds(L->P, row, GLP_FX, 0, 0);
            int y = add_col(L, SIZE_MAX, p, m, 0);
            nz(L, (int)(C + p) + 1, y, 1);
            nz(L, row, y, -(double)m);
            for (size_t c = 0; c < C; c++) {
                double b = imv_alloc_benefit(pb, c, p, m);
                if (!usable(b))
                    continue;
                int x = add_col(L, c, p, m, b + NEIGHBOUR_EPS * neighbouring(pb, c, p));
                nz(L, (int)c + 1, x, 1);
                nz(L, row, x, 1);
            }
        }
    }
    if (L->n_nz)
        glp_load_matrix(L->P, L->n_nz, L->ia, L->ja, L->ar);
}

static void lp_free(lp *L)
{
    if (L->P)
        glp_delete_prob(L->P);
    free(L->cols);
    free(L->ia);
    free(L->ja);
    free(L->ar);
}

/* GLPK prints progress by default; a library must not. */
static int quiet(void *info, const char *s)
{
    (void)info;
    (void)s;
    return 1;
}

static void read_solution(const lp *L, const imv_alloc_problem *pb, imv_alloc_solution *out)
{
    for (size_t c = 0; c < pb->n_councils; c++)
        out->partner_of[c] = SIZE_MAX;
    for (size_t p = 0; p < pb->n_partners; p++)
        out->load[p] = 0;
    out->total = 0;
    for (int j = 1; j <= L->n_cols; j++) {
        if (glp_mip_col_val(L->P, j) < 0.5)
            continue;
        const col *k = &L->cols[j];
        if (k->c == SIZE_MAX) {
            out->load[k->p] = k->m;
            continue;
        }
        out->partner_of[k->c] = k->p;
        out->total += imv_alloc_benefit(pb, k->c, k->p, k->m);
    }
}

int imv_alloc_solve(const imv_alloc_problem *pb, imv_alloc_solution *out, char *err,
                    size_t errlen)
{
    lp L = { 0 };
    int rc = imv_alloc_check(pb, err, errlen);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->partner_of = imv_xcalloc(pb->n_councils ? pb->n_councils : 1, sizeof *out->partner_of);
    out->load = imv_xcalloc(pb->n_partners ? pb->n_partners : 1, sizeof *out->load);
    glp_term_hook(quiet, NULL);
    L.P = glp_create_prob();
    build(&L, pb);
    if (L.n_cols == 0) {          /* nothing to assign: GLPK wants columns */
        read_solution(&L, pb, out);
        out->optimal = 1;
        goto done;
    }
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    int ret = glp_intopt(L.P, &parm);
    int status = glp_mip_status(L.P);
    if (ret != 0 || status != GLP_OPT) {
        snprintf(err, errlen, "the solver stopped without an optimum (GLPK code %d, status %d)",
                 ret, status);
        rc = IMV_EINVAL;
        goto done;
    }
    read_solution(&L, pb, out);
    out->optimal = 1;
done:
    lp_free(&L);
    glp_term_hook(NULL, NULL);
    if (rc < 0)
        imv_alloc_solution_free(out);
    return rc;
}

void imv_alloc_solution_free(imv_alloc_solution *s)
{
    if (!s)
        return;
    free(s->partner_of);
    free(s->load);
    s->partner_of = NULL;
    s->load = NULL;
}
