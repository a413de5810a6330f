/*
 * uncertainty.c - Monte Carlo over the ranges in a profile.
 *
 * Each draw resolves every uncertain rating (uniform, or triangular when
 * a mode is given) and, with vary_parameters, every model parameter
 * (uniform over its declared range), scores every model in score-only
 * mode, and ranks them exactly as a plain evaluation does.  Draws go to a
 * model's batch path when it has one, up to GROUP chunks of CHUNK at a time.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uncertainty.h"

#define CHUNK 256 /* draws with one random stream (see imv_mc_run) */
/* Chunks scored together: a batch call of up to GROUP x CHUNK draws.  A
 * model in a worker process (isolated, or LuaJIT's) costs two process
 * switches and a cold cache a call; 2,048 draws a call rather than 256
 * cut the all-ranges national run's CPU by a fifth (docs/performance.md).
 * The streams stay one per chunk, so no figure depends on GROUP. */
#define GROUP 8
#define SPAN (CHUNK * GROUP)

void imv_uncertainty_free(imv_uncertainty *u)
{
    if (!u)
        return;
    free(u->mean);
    free(u->p05);
    free(u->p95);
    free(u->viable_share);
    free(u->failed_share);
    for (size_t m = 0; u->error && m < u->n; m++)
        free(u->error[m]);
    free(u->error);
    free(u->rank_prob);
    free(u);
}

/* Partition v[lo..hi] (lo < hi) around the median of three (Hoare):
 * returns j with v[lo..j] <= pivot <= v[j+1..hi], lo <= j < hi.  Linear,
 * also on an array of equal values. */
static size_t partition(double *v, size_t lo, size_t hi)
{
    size_t mid = lo + (hi - lo) / 2;
    double a = v[lo], b = v[mid], c = v[hi];
    double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    size_t i = lo, j = hi;
    for (;;) {
        while (v[i] < pivot)
            i++;
        while (v[j] > pivot)
            j--;
        if (i >= j)
            return j;
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
    }
}

static void sort_small(double *v, size_t lo, size_t hi)
{
    for (size_t i = lo + 1; i <= hi; i++) {
        double x = v[i];
        size_t j = i;
        for (; j > lo && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Put the order statistics of ranks k[0] < k[1] < ... (nk of them, all in
 * lo..hi) in place: afterwards v[k[t]] is what a full sort of v[lo..hi]
 * would put there.  One quickselect for all of them, following only the
 * sides that hold a rank: the percentiles' four order statistics take
 * about half the work of two selections and a scan. */
static void select_ranks(double *v, size_t lo, size_t hi, const size_t *k, size_t nk)
{
    while (nk > 0 && hi - lo >= 16) {
        size_t j = partition(v, lo, hi);
        size_t m = 0; /* ranks in lo..j */
        while (m < nk && k[m] <= j)
            m++;
        if (m > 0 && m < nk)
            select_ranks(v, j + 1, hi, k + m, nk - m);
        if (m > 0) {
            hi = j;
            nk = m;
        } else {
            lo = j + 1;
        }
    }
    if (nk > 0)
        sort_small(v, lo, hi);
}

/* Where percentile q of n values falls: between order statistics *i and
 * *i + 1, at fraction *f (R type 7 / numpy's default). */
static void percentile_at(size_t n, double q, size_t *i, double *f)
{
    double pos = q * (double)(n - 1);
    *i = (size_t)pos;
    *f = pos - (double)*i;
}

/* The ranks a percentile needs, ascending and in range: *i, and *i + 1
 * when it exists. */
static size_t pair(size_t i, size_t n, size_t *k)
{
    k[0] = i;
    k[1] = i + 1;
    return i + 1 < n ? 2 : 1;
}

#define SAMPLE 256 /* a sorted sample's ranks bound where a percentile lies */
#define MARGIN 12  /* sample ranks either side: 3.5 sigma at 5% of 256 */

/* Sort the n ranks k (n <= 4) and drop repeats; returns how many are left. */
static size_t sort_ranks(size_t *k, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && k[j - 1] > k[j]; j--) {
            size_t t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || k[i] != k[m - 1])
            k[m++] = k[i];
    return m;
}

/* The sample ranks whose values bound ranks k[0..nk) of n values: MARGIN
 * beyond where those ranks fall in the sample; SIZE_MAX past either end
 * (no bound). */
static void window(size_t n, const size_t *k, size_t nk, size_t *lo, size_t *hi)
{
    size_t l = k[0] * (SAMPLE - 1) / (n - 1), h = k[nk - 1] * (SAMPLE - 1) / (n - 1) + 1 + MARGIN;
    *lo = l <= MARGIN ? SIZE_MAX : l - MARGIN;
    *hi = h >= SAMPLE - 1 ? SIZE_MAX : h;
}

/* The bounds of two windows from a sample q of v: a1 <= x <= b1 and
 * a2 <= x <= b2 hold the ranks k1 and k2 when the sample is typical. */
static void bounds(double *q, size_t n, const size_t *k1, size_t n1, const size_t *k2, size_t n2,
                   double *a1, double *b1, double *a2, double *b2)
{
    size_t r[4], want[4], nr = 0;
    window(n, k1, n1, &want[0], &want[1]);
    window(n, k2, n2, &want[2], &want[3]);
    for (int t = 0; t < 4; t++) /* the real bounds, ascending and distinct */
        if (want[t] != SIZE_MAX)
            r[nr++] = want[t];
    nr = sort_ranks(r, nr);
    if (nr)
        select_ranks(q, 0, SAMPLE - 1, r, nr);
    *a1 = want[0] == SIZE_MAX ? -INFINITY : q[want[0]];
    *b1 = want[1] == SIZE_MAX ? INFINITY : q[want[1]];
    *a2 = want[2] == SIZE_MAX ? -INFINITY : q[want[2]];
    *b2 = want[3] == SIZE_MAX ? INFINITY : q[want[3]];
}

/* Order statistics of two rank pairs of v[0..n) (n > 4 * SAMPLE), by
 * sampling (after Floyd and Rivest): bounds from a sample bracket each
 * pair; one pass without data-dependent branches counts what lies below
 * each lower bound and copies what lies between the bounds into buf1 and
 * buf2 (n each); the ranks are then selected among those few, which
 * gives exactly the values of a full sort.  0 when a sample missed
 * (rarely): the caller selects in v. */
static int select_sampled(const double *v, size_t n, const size_t *k1, size_t n1, const size_t *k2,
                          size_t n2, double *buf1, double *buf2, double *out1, double *out2)
{
    double q[SAMPLE], a1, b1, a2, b2;
    for (size_t i = 0; i < SAMPLE; i++)
        q[i] = v[i * (n / SAMPLE)];
    bounds(q, n, k1, n1, k2, n2, &a1, &b1, &a2, &b2);
    size_t below1 = 0, below2 = 0, c1 = 0, c2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        below1 += x < a1;
        below2 += x < a2;
        buf1[c1] = x;
        c1 += (x >= a1) & (x <= b1);
        buf2[c2] = x;
        c2 += (x >= a2) & (x <= b2);
    }
    if (below1 > k1[0] || below1 + c1 <= k1[n1 - 1] || below2 > k2[0] || below2 + c2 <= k2[n2 - 1])
        return 0;
    size_t r1[2], r2[2];
    for (size_t t = 0; t < n1; t++)
        r1[t] = k1[t] - below1;
    for (size_t t = 0; t < n2; t++)
        r2[t] = k2[t] - below2;
    select_ranks(buf1, 0, c1 - 1, r1, n1);
    select_ranks(buf2, 0, c2 - 1, r2, n2);
    for (size_t t = 0; t < n1; t++)
        out1[t] = buf1[r1[t]];
    for (size_t t = 0; t < n2; t++)
        out2[t] = buf2[r2[t]];
    return 1;
}

/* The same, selecting in v itself (reordered). */
static void select_in_place(double *v, size_t n, const size_t *k1, size_t n1, const size_t *k2,
                            size_t n2, double *out1, double *out2)
{
    size_t k[4], nk = 0;
    for (size_t t = 0; t < n1 + n2; t++)
        k[nk++] = t < n1 ? k1[t] : k2[t - n1];
    nk = sort_ranks(k, nk);
    select_ranks(v, 0, n - 1, k, nk);
    for (size_t t = 0; t < n1; t++)
        out1[t] = v[k1[t]];
    for (size_t t = 0; t < n2; t++)
        out2[t] = v[k2[t]];
}

/* Percentiles q1 < q2 of v[0..n) by linear interpolation between order
 * statistics; buf1 and buf2 hold n values each; same: every value is
 * v[0] (a constant profile's one draw stands for all).  May reorder v. */
static void percentiles(double *v, size_t n, int same, double q1, double q2, double *buf1,
                        double *buf2, double *p1, double *p2)
{
    if (n == 0) {
        *p1 = *p2 = NAN;
        return;
    }
    size_t i1, i2, k1[2], k2[2];
    double f1, f2, x1[2], x2[2];
    percentile_at(n, q1, &i1, &f1);
    percentile_at(n, q2, &i2, &f2);
    size_t n1 = pair(i1, n, k1), n2 = pair(i2, n, k2);
    if (same)
        x1[0] = x1[1] = x2[0] = x2[1] = v[0];
    else if (n <= 4 * SAMPLE || !select_sampled(v, n, k1, n1, k2, n2, buf1, buf2, x1, x2))
        select_in_place(v, n, k1, n1, k2, n2, x1, x2);
    *p1 = n1 == 1 ? x1[0] : x1[0] * (1 - f1) + x1[1] * f1;
    *p2 = n2 == 1 ? x2[0] : x2[0] * (1 - f2) + x2[1] * f2;
}

/* ---- the Monte Carlo run --------------------------------------------------- *
 *
 * Draws are taken in chunks of CHUNK, each with its own random stream
 * (seeded from the seed, the profile and the chunk index), so any set of
 * chunks can be scored by any thread in any order: scores land in their
 * draw's slot, and rank and viability counts are integer sums.  The
 * summary is therefore the same whatever the thread count.
 *
 * A profile with no range, run without --vary-parameters, has nothing to
 * draw: every draw would give the same scores (models are functions of
 * their inputs), so one draw is scored and counted `draws` times, which
 * gives exactly the figures the full run would. */

struct imv_mc {
    unsigned long serial; /* this run's, unique: whose base a scratch's views hold */
    imv_registry *reg;
    const imv_profile *p;
    size_t n_models, n_params_total, draws, chunks;
    uint64_t seed;
    int vary, constant;
    double noise;                  /* --rating-noise: spread given to point ratings */
    imv_range ranges[IMV_R_COUNT]; /* what each rating is drawn from */
    char salt[300];
    imv_profile_view base; /* the view at the point values, score-only */
    imv_partner_view *partners;
    size_t *param_off; /* per model offset into one draw's block */
    double *scores;    /* n_models x draws */
    pthread_mutex_t mu;
    size_t *viable;   /* n_models */
    size_t *fails;    /* n_models: draws in which it failed */
    size_t *err_draw; /* n_models: the first such draw (SIZE_MAX: none) */
    char **err;       /* n_models: its error */
    size_t *ranks;    /* n_models x n_models */
    int failed;       /* out of memory */
};

imv_mc *imv_mc_new(imv_registry *reg, const imv_profile *p, size_t draws, uint64_t seed, int vary)
{
    size_t n = imv_registry_count(reg);
    if (draws == 0 || n == 0)
        return NULL;
    static atomic_ulong serials;
    imv_mc *c = imv_xcalloc(1, sizeof *c);
    c->serial = atomic_fetch_add(&serials, 1) + 1;
    c->reg = reg;
    c->p = p;
    c->n_models = n;
    c->draws = draws;
    c->seed = seed;
    c->vary = vary;
    c->constant = !p->uncertain && !vary;
    c->chunks = c->constant ? 1 : (draws + CHUNK - 1) / CHUNK;
    memcpy(c->ranges, p->ratings, sizeof c->ranges);
    snprintf(c->salt, sizeof c->salt, "%s@%s", p->id, p->as_of);
    c->partners = imv_xcalloc(p->n_partners, sizeof *c->partners);
    imv_profile_view_init(p, &c->base, c->partners);
    imv_profile_view_expect(&c->base, p, reg);
    c->base.flags = IMV_VIEW_SCORE_ONLY;
    c->param_off = imv_xcalloc(n, sizeof *c->param_off);
    for (size_t m = 0; m < n; m++) {
        c->param_off[m] = c->n_params_total;
        c->n_params_total += imv_registry_get(reg, m)->n_params;
    }
    c->scores = n <= SIZE_MAX / sizeof(double) / draws ? malloc(n * draws * sizeof(double)) : NULL;
    c->failed = c->scores == NULL;
    c->viable = imv_xcalloc(n, sizeof *c->viable);
    c->fails = imv_xcalloc(n, sizeof *c->fails);
    c->err_draw = imv_xcalloc(n, sizeof *c->err_draw);
    c->err = imv_xcalloc(n, sizeof *c->err);
    for (size_t m = 0; m < n; m++)
        c->err_draw[m] = SIZE_MAX;
    c->ranks = imv_xcalloc(n * n, sizeof *c->ranks);
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

/* A rating an adviser gave as a point is a judgement too (issue 11 point
 * 9): with noise r it is drawn from a triangle low = v - r, mode v, high =
 * v + r, cut to 0..4, so "robust" means robust to a judgement that could
 * have been a little different.  Ranges the profile gives are kept. */
void imv_mc_set_rating_noise(imv_mc *c, double noise)
{
    if (!c || !(noise > 0))
        return;
    c->noise = noise;
    for (int i = 0; i < IMV_R_COUNT; i++) {
        const imv_range *g = &c->p->ratings[i];
        if (g->kind != 0)
            continue;
        double lo = g->mode - noise < 0 ? 0 : g->mode - noise;
        double hi = g->mode + noise > 4 ? 4 : g->mode + noise;
        c->ranges[i] = (imv_range){.low = lo, .mode = g->mode, .high = hi, .kind = 2};
    }
    c->constant = 0;
    c->chunks = (c->draws + CHUNK - 1) / CHUNK;
}

size_t imv_mc_chunks(const imv_mc *c)
{
    return c ? c->chunks : 0;
}

void imv_mc_free(imv_mc *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c->partners);
    free(c->param_off);
    free(c->scores);
    free(c->viable);
    free(c->fails);
    free(c->err_draw);
    for (size_t m = 0; m < c->n_models; m++)
        free(c->err[m]);
    free(c->err);
    free(c->ranks);
    free(c);
}

/* Scratch for scoring chunks: one thread's, kept with its worker from
 * one block of draws to the next (making it for each block, some 4.6 MB
 * to allocate, zero and free for 2,048 draws of seven models, cost more
 * than a native model's draws), sized for the most draws a call scores at
 * once (cap: up to SPAN; one for a profile with nothing to draw, which a
 * what-if request or a stream of point profiles mostly are). */
typedef struct mc_scratch {
    size_t cap, n_models, n_params;
    unsigned long views_of; /* the run whose base view the views are copies of */
    imv_profile_view *views;
    double *ratings; /* the views' ratings again, one after the other, for LuaJIT; or NULL */
    const imv_profile_view **vp;
    const double **pp;
    imv_result **rp;
    imv_range_prep ranges[IMV_R_COUNT]; /* c->ranges, ready to draw from */
    double *params;                     /* cap x all parameters, with vary */
    imv_result *res;                    /* cap: room for one model's, where a draw needs it */
    imv_draw_outcome *out;              /* cap: one model's, taken in before the next's */
    imv_rank_key *key;                  /* cap x models: what draw d's results rank by, together */
    size_t *order;
} mc_scratch;

static void scratch_free(void *p)
{
    mc_scratch *s = p;
    for (size_t i = 0; i < s->cap; i++)
        imv_result_clear(&s->res[i]);
    free(s->views);
    free(s->vp);
    free(s->pp);
    free(s->rp);
    free(s->params);
    free(s->res);
    free(s->out);
    free(s->key);
    free(s->order);
    free(s);
}

static mc_scratch *scratch_new(const imv_mc *c, size_t cap)
{
    size_t n = c->n_models;
    mc_scratch *s = imv_xcalloc(1, sizeof *s);
    s->cap = cap ? cap : 1;
    s->n_models = n;
    s->n_params = c->n_params_total;
    s->views = imv_xmalloc(s->cap * sizeof *s->views); /* copied from a base before use */
    s->vp = imv_xcalloc(s->cap, sizeof *s->vp);
    s->pp = imv_xcalloc(s->cap, sizeof *s->pp);
    s->rp = imv_xcalloc(s->cap, sizeof *s->rp);
    s->res = imv_xcalloc(s->cap, sizeof *s->res);
    s->out = imv_xcalloc(s->cap, sizeof *s->out);
    for (size_t d = 0; d < s->cap; d++) { /* the same for every model and span */
        s->vp[d] = &s->views[d];
        s->rp[d] = &s->res[d];
    }
    s->key = imv_xcalloc(s->cap * n, sizeof *s->key);
    s->order = imv_xcalloc(n, sizeof *s->order);
    return s;
}

/* w's scratch, made (again) when it is too small for c, and ready for c:
 * the views differ only in their ratings, which every draw writes, so the
 * rest is copied from c's base once a run, not once a draw or a block. */
static mc_scratch *scratch_for(const imv_mc *c, imv_worker *w, size_t cap)
{
    mc_scratch *s = imv_worker_scratch(w);
    if (!s || s->cap < cap || s->n_models != c->n_models || s->n_params != c->n_params_total) {
        s = scratch_new(c, cap);
        imv_worker_keep_scratch(w, s, scratch_free);
    }
    if (c->vary && !s->params)
        s->params = imv_xcalloc(s->cap * (s->n_params ? s->n_params : 1), sizeof *s->params);
    if (s->views_of != c->serial) {
        for (size_t d = 0; d < s->cap; d++)
            s->views[d] = c->base;
        s->views_of = c->serial;
    }
    /* The thread's own, where its LuaJIT workers read them (not the
     * scratch's: it is the worker's, as they are). */
    s->ratings = s->cap > 1 && s->cap <= IMV_DRAWS_AREA_VIEWS ? imv_worker_draws(w) : NULL;
    for (int i = 0; i < IMV_R_COUNT; i++)
        imv_range_prepare(&c->ranges[i], &s->ranges[i]);
    return s;
}

static void draw_params(const imv_mc *c, imv_rng *rng, double *block)
{
    for (size_t m = 0; m < c->n_models; m++) {
        const imv_model *mod = imv_registry_get(c->reg, m);
        /* Only what the model declares uncertain is drawn, over its
         * plausible range; bases, rule dates and values a user set
         * stay as they are (issue 11 point 9). */
        for (size_t j = 0; j < mod->n_params; j++) {
            const imv_param_def *pd = &mod->params[j];
            double x = mod->values[j];
            if (imv_param_drawn(pd) && x == pd->def)
                x = pd->plausible_low +
                    imv_rng_uniform(rng) * (pd->plausible_high - pd->plausible_low);
            block[c->param_off[m] + j] = x;
        }
    }
}

/* Draws [at, at + k) of the span from rng. */
static void draw_chunk(const imv_mc *c, mc_scratch *s, imv_rng *rng, size_t at, size_t k)
{
    for (size_t d = at; d < at + k; d++) {
        imv_ranges_draw(s->ranges, IMV_R_COUNT, rng, s->views[d].ratings);
        if (s->ratings)
            memcpy(s->ratings + d * IMV_R_COUNT, s->views[d].ratings, sizeof s->views[d].ratings);
        if (c->vary)
            draw_params(c, rng, s->params + d * c->n_params_total);
    }
}

/* A thread's own counts, merged into the run's under its lock. */
typedef struct mc_counts {
    size_t *viable, *failed, *err_draw, *ranks;
    char **err_copy;
} mc_counts;

/* Take in model m's outcomes of the span's first k draws, draws done..
 * of the run: their scores, rank keys and counts.  The one draw of a
 * constant profile stands for all of them. */
static void take_model(const imv_mc *c, mc_scratch *s, mc_counts *t, size_t m, size_t done, size_t k)
{
    size_t n = c->n_models, D = c->draws;
    size_t times = c->constant ? D : 1;
    unsigned tie = imv_registry_get(c->reg, m)->order;
    for (size_t d = 0; d < k; d++) {
        const imv_draw_outcome *o = &s->out[d];
        s->key[d * n + m] = (imv_rank_key){.score = o->score, .cls = o->cls, .tie = tie};
        double *dst = c->scores + m * D + done + d;
        for (size_t i = 0; i < times; i++)
            dst[i] = o->score;
        t->viable[m] += o->cls == 0 ? times : 0;
        if (o->cls == 2) {
            t->failed[m] += times;
            if (t->err_draw[m] == SIZE_MAX) {
                t->err_draw[m] = done + d; /* chunks run in order here */
                t->err_copy[m] = imv_xstrdup(o->error);
            }
        }
    }
}

/* Every model scores the span's first k views, score-only, one after
 * the other in the same k results and outcomes: each model's are taken
 * in before the next's are made, so that what is written and read stays
 * in the cache (seven models' results side by side were 3.7 MB a span). */
static void score_span(const imv_mc *c, mc_scratch *s, imv_worker *w, mc_counts *t, size_t done,
                       size_t k)
{
    for (size_t m = 0; m < c->n_models; m++) {
        const imv_model *mod = imv_registry_get(c->reg, m);
        for (size_t d = 0; d < k; d++)
            s->pp[d] = c->vary ? s->params + d * c->n_params_total + c->param_off[m] : mod->values;
        imv_worker_score_outcomes(w, m, s->vp, c->p->serial, s->pp, k, s->ratings, s->rp, s->out);
        take_model(c, s, t, m, done, k);
    }
}

/* Rank each of the span's first k draws and count it. */
static void rank_span(const imv_mc *c, mc_scratch *s, mc_counts *t, size_t k)
{
    size_t n = c->n_models;
    size_t times = c->constant ? c->draws : 1;
    for (size_t d = 0; d < k; d++) {
        imv_rank_keys(&s->key[d * n], n, s->order);
        for (size_t r = 0; r < n; r++)
            t->ranks[s->order[r] * n + r] += times;
    }
}

static void counts_init(mc_counts *t, size_t n)
{
    t->viable = imv_xcalloc(n, sizeof *t->viable);
    t->failed = imv_xcalloc(n, sizeof *t->failed);
    t->err_draw = imv_xcalloc(n, sizeof *t->err_draw);
    t->err_copy = imv_xcalloc(n, sizeof *t->err_copy);
    t->ranks = imv_xcalloc(n * n, sizeof *t->ranks);
    for (size_t m = 0; m < n; m++)
        t->err_draw[m] = SIZE_MAX;
}

/* Add a thread's counts to the run's and free them. */
static void counts_merge(imv_mc *c, mc_counts *t)
{
    size_t n = c->n_models;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < n; i++) {
        c->viable[i] += t->viable[i];
        c->fails[i] += t->failed[i];
        /* keep the error of the lowest draw, whichever thread ran it */
        if (t->err_draw[i] < c->err_draw[i]) {
            c->err_draw[i] = t->err_draw[i];
            free(c->err[i]);
            c->err[i] = t->err_copy[i];
            t->err_copy[i] = NULL;
        }
    }
    for (size_t i = 0; i < n * n; i++)
        c->ranks[i] += t->ranks[i];
    pthread_mutex_unlock(&c->mu);
    for (size_t m = 0; m < n; m++)
        free(t->err_copy[m]);
    free(t->err_copy);
    free(t->viable);
    free(t->failed);
    free(t->err_draw);
    free(t->ranks);
}

void imv_mc_run(imv_mc *c, imv_worker *w, size_t first, size_t count)
{
    if (!c || c->failed)
        return;
    size_t end = first + count < c->chunks ? first + count : c->chunks;
    size_t from = first * CHUNK, to = end * CHUNK < c->draws ? end * CHUNK : c->draws;
    size_t cap = c->constant ? 1 : first >= end ? 0 : to - from < SPAN ? to - from : SPAN;
    mc_scratch *s = scratch_for(c, w, cap);
    mc_counts t;
    counts_init(&t, c->n_models);
    imv_rng rng;
    for (size_t ch = first; ch < end;) {
        size_t done = ch * CHUNK, k = 0;
        for (size_t g = 0; g < GROUP && ch < end; g++, ch++) {
            size_t at = ch * CHUNK;
            size_t kc = c->constant ? 1 : c->draws - at < CHUNK ? c->draws - at : CHUNK;
            /* A stream per chunk of draws, so chunks can go to any thread. */
            imv_rng_seed(&rng, c->seed + 0x9E3779B97F4A7C15ull * ch, c->salt);
            draw_chunk(c, s, &rng, k, kc);
            k += kc;
        }
        score_span(c, s, w, &t, done, k);
        rank_span(c, s, &t, k);
    }
    counts_merge(c, &t);
}

imv_uncertainty *imv_mc_finish(imv_mc *c)
{
    if (!c || c->failed)
        return NULL;
    size_t n = c->n_models, D = c->draws;
    imv_uncertainty *u = imv_xcalloc(1, sizeof *u);
    u->draws = D;
    u->seed = c->seed;
    u->vary_parameters = c->vary;
    u->rating_noise = c->noise;
    u->n = n;
    u->mean = imv_xcalloc(n, sizeof *u->mean);
    u->p05 = imv_xcalloc(n, sizeof *u->p05);
    u->p95 = imv_xcalloc(n, sizeof *u->p95);
    u->viable_share = imv_xcalloc(n, sizeof *u->viable_share);
    u->failed_share = imv_xcalloc(n, sizeof *u->failed_share);
    u->error = imv_xcalloc(n, sizeof *u->error);
    u->rank_prob = imv_xcalloc(n * n, sizeof *u->rank_prob);
    double *buf = D <= SIZE_MAX / 2 / sizeof(double) ? malloc(2 * D * sizeof(double)) : NULL;
    if (!buf) {
        imv_uncertainty_free(u);
        return NULL;
    }
    for (size_t m = 0; m < n; m++) {
        u->failed_share[m] = (double)c->fails[m] / (double)D;
        u->error[m] = c->err[m];
        c->err[m] = NULL;
        double *s = c->scores + m * D, sum = 0;
        size_t k = 0;
        for (size_t d = 0; d < D; d++) /* in draw order: the same sum every time */
            if (!isnan(s[d])) {
                s[k++] = s[d];
                sum += s[d];
            }
        u->mean[m] = k ? sum / (double)k : NAN;
        percentiles(s, k, c->constant, 0.05, 0.95, buf, buf + D, &u->p05[m], &u->p95[m]);
        u->viable_share[m] = (double)c->viable[m] / (double)D;
        for (size_t r = 0; r < n; r++)
            u->rank_prob[m * n + r] = (double)c->ranks[m * n + r] / (double)D;
    }
    free(buf);
    return u;
}

int imv_uncertainty_run(imv_worker *w, imv_evaluation *e, size_t draws, uint64_t seed, int vary)
{
    imv_mc *c = imv_mc_new(imv_worker_registry(w), e->profile, draws, seed, vary);
    if (!c)
        return IMV_OK;
    imv_mc_run(c, w, 0, imv_mc_chunks(c));
    imv_uncertainty *u = imv_mc_finish(c);
    imv_mc_free(c);
    if (!u)
        return IMV_ENOMEM;
    imv_uncertainty_free(e->uncertainty);
    e->uncertainty = u;
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
    if (u->rating_noise > 0) /* only then: output stays as it was */
        cJSON_AddNumberToObject(o, "rating_noise", u->rating_noise);
    cJSON *ms = cJSON_AddObjectToObject(o, "models");
    /* In ranking order, so the JSON reads like the table. */
    for (size_t r = 0; r < e->n; r++) {
        size_t m = e->order[r];
        cJSON *x = cJSON_AddObjectToObject(ms, imv_model_id(e->results[m].model));
        add_stat(x, "mean", u->mean[m]);
        add_stat(x, "p05", u->p05[m]);
        add_stat(x, "p95", u->p95[m]);
        cJSON_AddNumberToObject(x, "viable_share", u->viable_share[m]);
        if (u->failed_share[m] > 0) { /* only then: output stays as it was */
            cJSON_AddNumberToObject(x, "failed_share", u->failed_share[m]);
            cJSON_AddStringToObject(x, "error", u->error[m] ? u->error[m] : "");
        }
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

/* Figures over the draws in which a model failed would mislead without
 * this: they are of the other draws only. */
static void failed_note(FILE *f, const imv_uncertainty *u, const imv_evaluation *e, size_t m,
                        const char *indent)
{
    if (u->failed_share[m] > 0)
        fprintf(f,
                "%s%s failed in %.1f%% of the draws: its mean, p05 and p95 are of the other "
                "%.1f%% only\n",
                indent, imv_model_id(e->results[m].model), u->failed_share[m] * 100,
                100 - u->failed_share[m] * 100);
}

void imv_uncertainty_table(FILE *f, const imv_uncertainty *u, const imv_evaluation *e)
{
    char noise[64] = "";
    if (u->rating_noise > 0)
        snprintf(noise, sizeof noise, ", point ratings +/-%g", u->rating_noise);
    fprintf(f, "    uncertainty over %zu draws (seed %llu%s%s):\n", u->draws,
            (unsigned long long)u->seed, u->vary_parameters ? ", parameters varied" : "", noise);
    fprintf(f, "    model                    mean   p05   p95  first  top-2  viable\n");
    for (size_t r = 0; r < e->n; r++) {
        size_t m = e->order[r];
        double first = u->rank_prob[m * u->n],
               top2 = first + (u->n > 1 ? u->rank_prob[m * u->n + 1] : 0);
        fprintf(f, "    %-22.22s  %5.1f %5.1f %5.1f  %4.0f%%  %4.0f%%  %4.0f%%\n",
                imv_model_id(e->results[m].model), imv_round1(u->mean[m]), imv_round1(u->p05[m]),
                imv_round1(u->p95[m]), first * 100, top2 * 100, u->viable_share[m] * 100);
    }
    for (size_t r = 0; r < e->n; r++)
        failed_note(f, u, e, e->order[r], "    ");
}

void imv_uncertainty_model_text(FILE *f, const imv_uncertainty *u, const imv_evaluation *e, size_t m)
{
    fprintf(f,
            "  over %zu draws: mean %.1f (5%%-95%%: %.1f-%.1f), first in %.0f%%, viable in %.0f%%\n",
            u->draws, imv_round1(u->mean[m]), imv_round1(u->p05[m]), imv_round1(u->p95[m]),
            u->rank_prob[m * u->n] * 100, u->viable_share[m] * 100);
    failed_note(f, u, e, m, "  ");
}
