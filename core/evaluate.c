/*
 * evaluate.c - score one profile with every model and rank the results
 * (the worker is core/worker.c, the ranking core/rank.c).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "monitor.h"
#include "uncertainty.h"

/* The analysis of the intervention in place is part of the evaluation,
 * so that every document renders the same status without deciding it. */
static void assess_intervention(imv_evaluation *e)
{
    imv_monitor mon;
    imv_monitor_assess(e, &mon);
    if (mon.status == IMV_MON_NONE)
        return;
    e->monitor = imv_xmalloc(sizeof *e->monitor);
    *e->monitor = mon;
}

static int evaluate(imv_worker *w, const imv_profile *p, int brief, imv_evaluation *e)
{
    memset(e, 0, sizeof *e);
    e->profile = p;
    imv_registry *reg = imv_worker_registry(w);
    e->n = imv_registry_count(reg);
    e->results = imv_xcalloc(e->n, sizeof *e->results);
    e->order = imv_xcalloc(e->n, sizeof *e->order);
    imv_partner_view *pb = imv_xcalloc(p->n_partners, sizeof *pb);
    imv_profile_view v;
    imv_profile_view_init(p, &v, pb);
    imv_profile_view_expect(&v, p, reg);
    if (brief) /* the models may skip the texts the results would not keep */
        v.flags |= IMV_VIEW_BRIEF;
    int failed = 0;
    for (size_t i = 0; i < e->n; i++) {
        imv_model *m = imv_registry_get(reg, i);
        imv_result_reset(&e->results[i], m, 0);
        e->results[i].brief = brief;
        imv_worker_score(w, i, &v, p->serial, m->values, &e->results[i]);
        failed |= e->results[i].error != NULL;
    }
    free(pb);
    imv_rank(e->results, e->n, e->order);
    if (e->n && e->results[e->order[0]].viable && !e->results[e->order[0]].error)
        e->recommended = imv_model_id(e->results[e->order[0]].model);
    assess_intervention(e);
    return failed ? IMV_EPLUGIN : IMV_OK;
}

int imv_evaluate(imv_worker *w, const imv_profile *p, imv_evaluation *e)
{
    return evaluate(w, p, 0, e);
}

int imv_evaluate_brief(imv_worker *w, const imv_profile *p, imv_evaluation *e)
{
    return evaluate(w, p, 1, e);
}

void imv_evaluation_clear(imv_evaluation *e)
{
    for (size_t i = 0; i < e->n; i++)
        imv_result_clear(&e->results[i]);
    free(e->results);
    free(e->order);
    imv_uncertainty_free(e->uncertainty);
    free(e->monitor);
    imv_sensitivity_free(e->sensitivity);
    memset(e, 0, sizeof *e);
}
