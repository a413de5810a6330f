/*
 * evaluate.c - score one profile with every model and rank the results.
 *
 * A worker owns the per-thread state of every model (a Lua state each);
 * a model whose instance cannot be created fails on every profile with
 * the same message, and never stops the others.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uncertainty.h"

struct imv_worker {
    imv_registry *reg;
    size_t n;
    void **inst;
    char **inst_err;
    unsigned char *tried;
};

imv_worker *imv_worker_new(imv_registry *reg)
{
    imv_worker *w = imv_xcalloc(1, sizeof *w);
    w->reg = reg;
    w->n = imv_registry_count(reg);
    w->inst = imv_xcalloc(w->n, sizeof *w->inst);
    w->inst_err = imv_xcalloc(w->n, sizeof *w->inst_err);
    w->tried = imv_xcalloc(w->n, 1);
    return w;
}

void imv_worker_free(imv_worker *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        imv_model *m = imv_registry_get(w->reg, i);
        const imv_backend *be = m->isolated ? &imv_isolated_backend : m->be;
        if (w->inst[i] && be->instance_free)
            be->instance_free(w->inst[i]);
        free(w->inst_err[i]);
    }
    free(w->inst);
    free(w->inst_err);
    free(w->tried);
    free(w);
}

static const imv_backend *backend_of(const imv_model *m)
{
    return m->isolated ? &imv_isolated_backend : m->be;
}

/* The model's instance for this worker, created on first use. */
static void *instance(imv_worker *w, size_t i, const char **err)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const imv_backend *be = backend_of(m);
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

void imv_worker_score(imv_worker *w, size_t i, const imv_profile_view *v, unsigned long key,
                      const double *params, imv_result *r)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const char *err;
    void *inst = instance(w, i, &err);
    if (err)
        r->error = imv_xstrdup(err);
    else
        backend_of(m)->score(m, inst, v, key, params, r);
    imv_result_finish(r);
}

imv_registry *imv_worker_registry(imv_worker *w)
{
    return w->reg;
}

void imv_worker_score_batch(imv_worker *w, size_t i, const imv_profile_view *const *v,
                            unsigned long key, const double *const *params, size_t n,
                            imv_result *const *r)
{
    imv_model *m = imv_registry_get(w->reg, i);
    const imv_backend *be = backend_of(m);
    const char *err;
    void *inst = instance(w, i, &err);
    if (err) {
        for (size_t k = 0; k < n; k++)
            r[k]->error = imv_xstrdup(err);
    } else if (m->has_batch && be->score_batch && n > 1) {
        be->score_batch(m, inst, v, params, n, r);
    } else {
        for (size_t k = 0; k < n; k++)
            be->score(m, inst, v[k], key, params[k], r[k]);
    }
    for (size_t k = 0; k < n; k++)
        imv_result_finish(r[k]);
}

static int rank_class(const imv_result *r)
{
    return r->error ? 2 : r->viable ? 0 : 1;
}

/* 1 when x ranks above y: viable before non-viable before failed, then
 * the higher score, then the model id, so that output is deterministic. */
static int ranks_before(const imv_result *x, const imv_result *y)
{
    int cx = rank_class(x), cy = rank_class(y);
    if (cx != cy)
        return cx < cy;
    if (cx != 2 && x->score != y->score)
        return x->score > y->score;
    return strcmp(imv_model_id(x->model), imv_model_id(y->model)) < 0;
}

/* Insertion sort: a handful of models, stable and reentrant. */
void imv_rank(const imv_result *results, size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && ranks_before(&results[i], &results[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

int imv_evaluate(imv_worker *w, const imv_profile *p, imv_evaluation *e)
{
    memset(e, 0, sizeof *e);
    e->profile = p;
    e->n = w->n;
    e->results = imv_xcalloc(e->n, sizeof *e->results);
    e->order = imv_xcalloc(e->n, sizeof *e->order);
    imv_partner_view *pb = imv_xcalloc(p->n_partners, sizeof *pb);
    imv_profile_view v;
    imv_profile_view_init(p, &v, pb);
    int failed = 0;
    for (size_t i = 0; i < e->n; i++) {
        imv_model *m = imv_registry_get(w->reg, i);
        imv_result_reset(&e->results[i], m, 0);
        imv_worker_score(w, i, &v, p->serial, m->values, &e->results[i]);
        failed |= e->results[i].error != NULL;
    }
    free(pb);
    imv_rank(e->results, e->n, e->order);
    if (e->n && e->results[e->order[0]].viable && !e->results[e->order[0]].error)
        e->recommended = imv_model_id(e->results[e->order[0]].model);
    return failed ? IMV_EPLUGIN : IMV_OK;
}

void imv_evaluation_clear(imv_evaluation *e)
{
    for (size_t i = 0; i < e->n; i++)
        imv_result_clear(&e->results[i]);
    free(e->results);
    free(e->order);
    imv_uncertainty_free(e->uncertainty);
    memset(e, 0, sizeof *e);
}
