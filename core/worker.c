/*
 * worker.c - the per-thread state of every model (a Lua state, an
 * isolated model's child process) and the calls that score through it.
 * A model whose instance cannot be created fails on every profile with
 * the same message, and never stops the others.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct imv_worker {
    imv_registry *reg;
    size_t n;
    void **inst;
    char **inst_err;
    unsigned char *tried;
    imv_jit **jit;         /* the LuaJIT worker of each Lua model, for score-only batches */
    imv_draws_area *draws; /* shared with those workers: imv_worker_draws */
    int draws_tried;
    void *scratch; /* a caller's, kept between calls (imv_worker_keep_scratch) */
    void (*scratch_free)(void *);
};

imv_worker *imv_worker_new(imv_registry *reg)
{
    imv_worker *w = imv_xcalloc(1, sizeof *w);
    w->reg = reg;
    w->n = imv_registry_count(reg);
    w->inst = imv_xcalloc(w->n, sizeof *w->inst);
    w->inst_err = imv_xcalloc(w->n, sizeof *w->inst_err);
    w->tried = imv_xcalloc(w->n, 1);
    w->jit = imv_xcalloc(w->n, sizeof *w->jit);
    return w;
}

void imv_worker_free(imv_worker *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        const imv_backend *be = imv_registry_get(w->reg, i)->be;
        if (w->inst[i] && be->instance_free)
            be->instance_free(w->inst[i]);
        free(w->inst_err[i]);
        imv_jit_free(w->jit[i]);
    }
    imv_draws_area_free(w->draws); /* after the workers it was handed to */
    if (w->scratch)
        w->scratch_free(w->scratch);
    free(w->jit);
    free(w->inst);
    free(w->inst_err);
    free(w->tried);
    free(w);
}

void *imv_worker_scratch(const imv_worker *w)
{
    return w->scratch;
}

void imv_worker_keep_scratch(imv_worker *w, void *p, void (*free_fn)(void *))
{
    if (w->scratch && w->scratch != p)
        w->scratch_free(w->scratch);
    w->scratch = p;
    w->scratch_free = free_fn;
}

/* The thread's draws area, made on first use when some model may go to
 * LuaJIT: each LuaJIT worker is handed it when it starts, whichever call
 * starts it (a sensitivity grid's batch may come before any draws). */
static imv_draws_area *draws_area(imv_worker *w)
{
    if (!w->draws_tried) {
        w->draws_tried = 1;
        for (size_t i = 0; i < w->n && !w->draws; i++)
            if (imv_jit_may_take(imv_registry_get(w->reg, i), w->jit[i]))
                w->draws = imv_draws_area_new();
    }
    return w->draws;
}

double *imv_worker_draws(imv_worker *w)
{
    return imv_draws_area_ratings(draws_area(w));
}

/* The model's instance for this worker, created on first use. */
static void *instance(imv_worker *w, size_t i, const char **err)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const imv_backend *be = m->be;
    *err = NULL;
    if (!be->instance_new)
        return NULL;
    if (!w->tried[i]) {
        char buf[1024] = "";
        w->tried[i] = 1;
        if (be->instance_new(m, &w->inst[i], buf, sizeof buf) != IMV_OK)
            w->inst_err[i] = imv_xstrdup(buf[0] ? buf : "the model could not be started");
    }
    *err = w->inst_err[i];
    return w->inst[i];
}

void imv_worker_start_isolated(imv_worker *w)
{
    const char *err;
    for (size_t i = 0; i < w->n; i++)
        if (imv_registry_get(w->reg, i)->isolated)
            (void)instance(w, i, &err);
}

void imv_worker_score(imv_worker *w, size_t i, const imv_profile_view *v, unsigned long key,
                      const double *params, imv_result *r)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const char *err;
    void *inst = instance(w, i, &err);
    if (err)
        r->error = imv_xstrdup(err);
    else
        m->be->score(m, inst, v, key, params, r);
    imv_result_finish(r);
}

imv_registry *imv_worker_registry(imv_worker *w)
{
    return w->reg;
}

/* 1 when reference_batch scores the n views one call each. */
static int one_call_each(const imv_model *m, size_t n)
{
    const imv_backend *be = m->be;
    return n < 2 || (!be->score_batch_keyed && !(m->has_batch && be->score_batch));
}

/* Score n views of the profile key on model i's own engine (the
 * reference, for a Lua model). */
static void reference_batch(imv_model *m, void *inst, const imv_profile_view *const *v,
                            unsigned long key, const double *const *params, size_t n,
                            imv_result *const *r)
{
    const imv_backend *be = m->be;
    if (one_call_each(m, n)) {
        for (size_t k = 0; k < n; k++)
            be->score(m, inst, v[k], key, params[k], r[k]);
    } else if (be->score_batch_keyed) {
        /* An isolated model takes the batch whether or not it has a batch
         * function of its own: one round trip to its process for n views. */
        be->score_batch_keyed(m, inst, v, key, params, n, r);
    } else {
        be->score_batch(m, inst, v, params, n, r);
    }
}

typedef struct ref_ctx {
    imv_model *m;
    void *inst;
    unsigned long key;
} ref_ctx;

static void ref_score(void *ctx, const imv_profile_view *const *v, const double *const *params,
                      size_t n, imv_result *const *r)
{
    ref_ctx *c = ctx;
    reference_batch(c->m, c->inst, v, c->key, params, n, r);
}

static void score_batch(imv_worker *w, size_t i, const imv_profile_view *const *v, unsigned long key,
                        const double *const *params, size_t n, imv_result *const *r, int draws)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const char *err;
    void *inst = instance(w, i, &err);
    if (err) {
        for (size_t k = 0; k < n; k++)
            r[k]->error = imv_xstrdup(err);
    } else if (imv_jit_takes(m, w->jit[i], v, n, draws)) {
        ref_ctx c = {m, inst, key};
        imv_jit_ref ref = {ref_score, &c};
        imv_jit_score_batch(&w->jit[i], m, &ref, draws_area(w), v, key, params, n, r, draws);
    } else {
        reference_batch(m, inst, v, key, params, n, r);
    }
    for (size_t k = 0; k < n; k++)
        imv_result_finish(r[k]);
}

void imv_worker_score_batch(imv_worker *w, size_t i, const imv_profile_view *const *v,
                            unsigned long key, const double *const *params, size_t n,
                            imv_result *const *r)
{
    score_batch(w, i, v, key, params, n, r, 0);
}

void imv_worker_score_draws(imv_worker *w, size_t i, const imv_profile_view *const *v,
                            unsigned long key, const double *const *params, size_t n,
                            imv_result *const *r)
{
    score_batch(w, i, v, key, params, n, r, 1);
}

void imv_worker_score_outcomes(imv_worker *w, size_t i, const imv_profile_view *const *v,
                               unsigned long key, const double *const *params, size_t n,
                               const double *ratings, imv_result *const *r, imv_draw_outcome *out)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const char *err;
    void *inst = instance(w, i, &err);
    if (!err && imv_jit_takes(m, w->jit[i], v, n, 1)) {
        ref_ctx c = {m, inst, key};
        imv_jit_ref ref = {ref_score, &c};
        imv_jit_score_outcomes(&w->jit[i], m, &ref, draws_area(w), ratings, v, key, params, n, r,
                               out);
        return;
    }
    if (!err && one_call_each(m, n)) {
        /* Each draw's result made, scored, checked and read in one go,
         * while it is in the cache: a pass over a span's results for each
         * step went through 2,048 of them four times. */
        for (size_t k = 0; k < n; k++) {
            imv_result_reset(r[k], m, 1);
            m->be->score(m, inst, v[k], key, params[k], r[k]);
            imv_result_finish(r[k]);
            imv_draw_outcome_of(r[k], &out[k]);
        }
        return;
    }
    for (size_t k = 0; k < n; k++)
        imv_result_reset(r[k], m, 1);
    score_batch(w, i, v, key, params, n, r, 1);
    for (size_t k = 0; k < n; k++)
        imv_draw_outcome_of(r[k], &out[k]);
}
