/*
 * uncertainty.c - Monte Carlo over the ranges in a profile.
 *
 * Each draw resolves every uncertain rating (uniform, or triangular when
 * a mode is given) and, with vary_parameters, every model parameter
 * (uniform over its declared range), scores every model in score-only
 * mode, and ranks them exactly as a plain evaluation does.  Draws go to a
 * model's batch path when it has one.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"
#include "uncertainty.h"

#define CHUNK 256   /* draws per batch call */

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void imv_rng_seed(imv_rng *r, uint64_t seed, const char *salt)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the salt */
    for (const char *p = salt ? salt : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    uint64_t x = seed ^ rotl(h, 17);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t next_u64(imv_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double imv_rng_uniform(imv_rng *r)
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

double imv_range_draw(const imv_range *g, imv_rng *r)
{
    if (g->kind == 0)
        return g->mode;
    double u = imv_rng_uniform(r), a = g->low, b = g->high, c = g->mode;
    if (g->kind == 1 || b <= a)
        return a + u * (b - a);
    double fc = (c - a) / (b - a);          /* inverse CDF of the triangle */
    return u < fc ? a + sqrt(u * (b - a) * (c - a)) : b - sqrt((1 - u) * (b - a) * (b - c));
}

void imv_uncertainty_free(imv_uncertainty *u)
{
    if (!u)
        return;
    free(u->mean);
    free(u->p05);
    free(u->p95);
    free(u->viable_share);
    free(u->rank_prob);
    free(u);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile by linear interpolation between order statistics. */
static double percentile(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

typedef struct mc {
    imv_worker *w;
    const imv_profile *p;
    size_t n_models, n_params_total;
    imv_profile_view *views;       /* CHUNK */
    imv_partner_view *partners;    /* shared by all views */
    double *params;                /* CHUNK x all parameters */
    size_t *param_off;             /* per model offset into one draw's block */
    imv_result *res;               /* CHUNK x models */
} mc;

static void draw_chunk(mc *c, imv_rng *rng, size_t k, int vary)
{
    for (size_t d = 0; d < k; d++) {
        imv_profile_view *v = &c->views[d];
        imv_profile_view_init(c->p, v, c->partners);
        v->flags = IMV_VIEW_SCORE_ONLY;
        for (int i = 0; i < IMV_R_COUNT; i++)
            v->ratings[i] = imv_range_draw(&c->p->ratings[i], rng);
        double *block = c->params + d * c->n_params_total;
        for (size_t m = 0; m < c->n_models; m++) {
            const imv_model *mod = imv_registry_get(imv_worker_registry(c->w), m);
            for (size_t j = 0; j < mod->n_params; j++) {
                const imv_param_def *pd = &mod->params[j];
                block[c->param_off[m] + j] =
                    vary ? pd->min + imv_rng_uniform(rng) * (pd->max - pd->min) : mod->values[j];
            }
        }
    }
}

static void summarise(imv_uncertainty *u, double *scores, const size_t *viable,
                      const size_t *ranks)
{
    size_t n = u->n, D = u->draws;
    for (size_t m = 0; m < n; m++) {
        double *s = scores + m * D, sum = 0;
        size_t k = 0;
        for (size_t d = 0; d < D; d++)
            if (!isnan(s[d])) {
                s[k++] = s[d];
                sum += s[d];
            }
        qsort(s, k, sizeof *s, cmp_double);
        u->mean[m] = k ? sum / (double)k : NAN;
        u->p05[m] = percentile(s, k, 0.05);
        u->p95[m] = percentile(s, k, 0.95);
        u->viable_share[m] = (double)viable[m] / (double)D;
        for (size_t r = 0; r < n; r++)
            u->rank_prob[m * n + r] = (double)ranks[m * n + r] / (double)D;
    }
}

static void rank_chunk(const mc *c, size_t k, size_t done, size_t D, double *scores,
                       size_t *viable, size_t *ranks, size_t *order)
{
    size_t n = c->n_models;
    for (size_t d = 0; d < k; d++) {
        const imv_result *row = &c->res[d * n];
        imv_rank(row, n, order);
        for (size_t r = 0; r < n; r++)
            ranks[order[r] * n + r]++;
        for (size_t m = 0; m < n; m++) {
            scores[m * D + done + d] = row[m].has_score ? row[m].score : NAN;
            viable[m] += row[m].viable && !row[m].error;
        }
    }
}

int imv_uncertainty_run(imv_worker *w, imv_evaluation *e, size_t draws, uint64_t seed,
                        int vary)
{
    imv_registry *reg = imv_worker_registry(w);
    const imv_profile *p = e->profile;
    size_t n = e->n;
    if (draws == 0 || n == 0)
        return IMV_OK;
    mc c = {.w = w, .p = p, .n_models = n};
    c.views = imv_xcalloc(CHUNK, sizeof *c.views);
    c.partners = imv_xcalloc(p->n_partners, sizeof *c.partners);
    c.param_off = imv_xcalloc(n, sizeof *c.param_off);
    for (size_t m = 0; m < n; m++) {
        c.param_off[m] = c.n_params_total;
        c.n_params_total += imv_registry_get(reg, m)->n_params;
    }
    c.params = imv_xcalloc(CHUNK * (c.n_params_total ? c.n_params_total : 1), sizeof *c.params);
    c.res = imv_xcalloc(CHUNK * n, sizeof *c.res);
    double *scores = malloc(n * draws * sizeof *scores);
    size_t *viable = imv_xcalloc(n, sizeof *viable);
    size_t *ranks = imv_xcalloc(n * n, sizeof *ranks);
    size_t *order = imv_xcalloc(n, sizeof *order);
    if (!scores) {
        free(c.views);
        free(c.partners);
        free(c.param_off);
        free(c.params);
        free(c.res);
        free(viable);
        free(ranks);
        free(order);
        return IMV_ENOMEM;
    }
    char salt[300];
    snprintf(salt, sizeof salt, "%s@%s", p->id, p->as_of);
    imv_rng rng;
    const imv_profile_view *vp[CHUNK];
    const double *pp[CHUNK];
    imv_result *rp[CHUNK];
    for (size_t done = 0; done < draws;) {
        size_t k = draws - done < CHUNK ? draws - done : CHUNK;
        /* A stream per chunk of draws: chunks could then be spread over
         * threads without changing a single figure. */
        imv_rng_seed(&rng, seed + 0x9E3779B97F4A7C15ull * (done / CHUNK), salt);
        draw_chunk(&c, &rng, k, vary);
        for (size_t m = 0; m < n; m++) {
            for (size_t d = 0; d < k; d++) {
                rp[d] = &c.res[d * n + m];
                imv_result_reset(rp[d], imv_registry_get(reg, m), 1);
                vp[d] = &c.views[d];
                pp[d] = c.params + d * c.n_params_total + c.param_off[m];
            }
            imv_worker_score_batch(w, m, vp, p->serial, pp, k, rp);
        }
        rank_chunk(&c, k, done, draws, scores, viable, ranks, order);
        done += k;
    }
    imv_uncertainty *u = imv_xcalloc(1, sizeof *u);
    u->draws = draws;
    u->seed = seed;
    u->vary_parameters = vary;
    u->n = n;
    u->mean = imv_xcalloc(n, sizeof *u->mean);
    u->p05 = imv_xcalloc(n, sizeof *u->p05);
    u->p95 = imv_xcalloc(n, sizeof *u->p95);
    u->viable_share = imv_xcalloc(n, sizeof *u->viable_share);
    u->rank_prob = imv_xcalloc(n * n, sizeof *u->rank_prob);
    summarise(u, scores, viable, ranks);
    imv_uncertainty_free(e->uncertainty);
    e->uncertainty = u;
    for (size_t i = 0; i < CHUNK * n; i++)
        imv_result_clear(&c.res[i]);
    free(c.views);
    free(c.partners);
    free(c.param_off);
    free(c.params);
    free(c.res);
    free(scores);
    free(viable);
    free(ranks);
    free(order);
    return IMV_OK;
}

static void add_stat(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, imv_round1(v));
}

cJSON *imv_uncertainty_json(const imv_uncertainty *u, const imv_evaluation *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "draws", (double)u->draws);
    cJSON_AddNumberToObject(o, "seed", (double)u->seed);
    cJSON_AddBoolToObject(o, "vary_parameters", u->vary_parameters);
    cJSON *ms = cJSON_AddObjectToObject(o, "models");
    /* In ranking order, so the JSON reads like the table. */
    for (size_t r = 0; r < e->n; r++) {
        size_t m = e->order[r];
        cJSON *x = cJSON_AddObjectToObject(ms, imv_model_id(e->results[m].model));
        add_stat(x, "mean", u->mean[m]);
        add_stat(x, "p05", u->p05[m]);
        add_stat(x, "p95", u->p95[m]);
        cJSON_AddNumberToObject(x, "viable_share", u->viable_share[m]);
        cJSON *rp = cJSON_AddArrayToObject(x, "rank_probability");
        for (size_t k = 0; k < u->n; k++)
            cJSON_AddItemToArray(rp, cJSON_CreateNumber(u->rank_prob[m * u->n + k]));
    }
    return o;
}

void imv_uncertainty_first_share(const imv_uncertainty *u, const imv_evaluation *e, char *buf,
                                 size_t n)
{
    size_t m = e->order[0];
    double share = u->rank_prob[m * u->n];
    const char *word = share >= 0.9 ? "robust" : share >= 0.6 ? "fairly robust" : "fragile";
    snprintf(buf, n, " (first in %.0f%% of %zu draws: %s)", share * 100, u->draws, word);
}

void imv_uncertainty_table(FILE *f, const imv_uncertainty *u, const imv_evaluation *e)
{
    fprintf(f, "    uncertainty over %zu draws (seed %llu%s):\n", u->draws,
            (unsigned long long)u->seed, u->vary_parameters ? ", parameters varied" : "");
    fprintf(f, "    model                    mean   p05   p95  first  top-2  viable\n");
    for (size_t r = 0; r < e->n; r++) {
        size_t m = e->order[r];
        double first = u->rank_prob[m * u->n], top2 = first + (u->n > 1 ? u->rank_prob[m * u->n + 1] : 0);
        fprintf(f, "    %-22.22s  %5.1f %5.1f %5.1f  %4.0f%%  %4.0f%%  %4.0f%%\n",
                imv_model_id(e->results[m].model), imv_round1(u->mean[m]), imv_round1(u->p05[m]),
                imv_round1(u->p95[m]), first * 100, top2 * 100, u->viable_share[m] * 100);
    }
}

void imv_uncertainty_model_text(FILE *f, const imv_uncertainty *u, const imv_evaluation *e,
                                size_t m)
{
    (void)e;
    fprintf(f, "  over %zu draws: mean %.1f (5%%-95%%: %.1f-%.1f), first in %.0f%%, viable in %.0f%%\n",
            u->draws, imv_round1(u->mean[m]), imv_round1(u->p05[m]), imv_round1(u->p95[m]),
            u->rank_prob[m * u->n] * 100, u->viable_share[m] * 100);
}
