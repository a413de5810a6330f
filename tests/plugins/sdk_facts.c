/* sdk_facts.c - writes every ABI 2.1 field of the view into one risk, so
 * that tests/check_facts.c can compare what a plugin sees in-process and
 * in an isolated child. */
#include <stdio.h>
#include <string.h>

#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    (void)w;
    char buf[1800];
    size_t k = 0;
#define PUT(...) k += (size_t)snprintf(buf + k, k < sizeof buf ? sizeof buf - k : 0, __VA_ARGS__)
    h->set_score(r, 50);
    if (!IMV_VIEW_HAS(p, rules_in_force)) {
        h->add_risk(r, "no 2.1 fields");
        return 0;
    }
    PUT("insp=%s prev=", p->inspected ? p->inspected : "-");
    for (size_t i = 0; i < p->n_previous; i++)
        PUT("%d@%s,", p->previous[i], p->previous_dates[i] ? p->previous_dates[i] : "-");
    PUT(" judg=%x:", (unsigned)p->judgements_present);
    for (uint32_t j = 0; j < p->n_judgements; j++)
        PUT("%d,", (p->judgements_present >> j) & 1u ? (int)p->judgements[j] : -1);
    PUT(" kind=%d prog=", p->intervention_kind);
    for (size_t i = 0; i < p->n_progress; i++)
        PUT("%s/%d/%d/%s;", p->progress[i]->date, p->progress[i]->finding, p->progress[i]->by,
            p->progress[i]->note ? p->progress[i]->note : "-");
    PUT(" pers=%d since=%s gap=%g sys=%d key=%x traj=%d jt=%d lf=%d tdate=%s jsince=%u rules=%x",
        p->persistent_failure, p->persistent_since ? p->persistent_since : "-",
        p->persistent_gap_months, p->systemic_failure, (unsigned)p->key_judgements_given,
        p->trajectory, p->judgement_trend, p->latest_finding,
        p->trajectory_date ? p->trajectory_date : "-", (unsigned)p->judgements_since,
        (unsigned)p->rules_in_force);
    if (IMV_VIEW_HAS(p, intervention_past_expected))
        PUT(" st=%d sg=%d base=%d reinsp=%g past=%u", p->intervention_status,
            p->intervention_signal, p->intervention_baseline, p->intervention_reinspected_months,
            (unsigned)p->intervention_past_expected);
    h->add_risk(r, buf);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "sdk_facts",
    .name = "Facts echo",
    .version = "1.0.0",
    .summary = "echoes the history and facts of the view",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
