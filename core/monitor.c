/* monitor.c - on track, stalling, or time to step down. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "monitor.h"

/* The time after which the model in place counts as stalled: its own
 * `stall_months` parameter when it declares one (the bundled models do),
 * else its timeline to "fair" for this profile. */
static double expected_for(const imv_result *r)
{
    const imv_model *m = r->model;
    for (size_t i = 0; i < m->n_params; i++)
        if (strcmp(m->params[i].name, "stall_months") == 0)
            return m->values[i];
    if (r->error || r->months_to_fair == IMV_UNKNOWN)
        return IMV_UNKNOWN;
    return (r->setup_months == IMV_UNKNOWN ? 0 : r->setup_months) + r->months_to_fair;
}

void imv_monitor_assess(const imv_evaluation *e, imv_monitor *out)
{
    const imv_profile *p = e->profile;
    memset(out, 0, sizeof *out);
    out->months = out->expected_months = IMV_UNKNOWN;
    if (!p->iv_model) {
        out->status = IMV_MON_NONE;
        return;
    }
    out->model = p->iv_model;
    out->months = imv_months_between(p->iv_since, p->as_of);
    const imv_result *cur = NULL;
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->results[i].model->id, p->iv_model) == 0)
            cur = &e->results[i];
    if (cur)
        out->expected_months = expected_for(cur);
    if (p->grade != IMV_G_INADEQUATE && p->grade != IMV_G_NOT_INSPECTED) {
        out->status = IMV_MON_IMPROVED;
        return;
    }
    /* The model in place knows best whether it can go on: when it says it
     * cannot (stalled, or a review that should already have reported),
     * that is the answer whatever the clock says. */
    if (cur && !cur->error && !cur->viable && cur->n_unmet) {
        out->status = IMV_MON_STALLING;
        out->reason = cur->unmet[0];
        if (e->recommended && strcmp(e->recommended, p->iv_model) != 0)
            out->escalate_to = e->recommended;
        return;
    }
    if (out->months == IMV_UNKNOWN || out->expected_months == IMV_UNKNOWN) {
        out->status = IMV_MON_UNKNOWN;
        return;
    }
    if (out->months < out->expected_months) {
        out->status = IMV_MON_ON_TRACK;
        return;
    }
    out->status = IMV_MON_STALLING;
    if (e->recommended && strcmp(e->recommended, p->iv_model) != 0)
        out->escalate_to = e->recommended;
}

const char *imv_monitor_status_name(imv_monitor_status s)
{
    static const char *const names[] = {"none", "on_track", "stalling", "improved", "unknown"};
    return names[s];
}

void imv_monitor_sentence(const imv_monitor *m, char *buf, size_t n)
{
    char since[64] = "";
    if (m->months != IMV_UNKNOWN)
        snprintf(since, sizeof since, " for %.0f months", floor(m->months));
    switch (m->status) {
    case IMV_MON_NONE:
        snprintf(buf, n, "no intervention in place");
        break;
    case IMV_MON_ON_TRACK:
        snprintf(buf, n, "%s in place%s, expected to leave inadequate by month %.0f: on track; "
                         "hold your nerve (003 ch.1)",
                 m->model, since, m->expected_months);
        break;
    case IMV_MON_STALLING:
        if (m->reason) {
            snprintf(buf, n, "%s in place%s: change course: %s; %s%s", m->model, since, m->reason,
                     m->escalate_to ? "move to " : "no viable alternative ranks first",
                     m->escalate_to ? m->escalate_to : "");
            break;
        }
        snprintf(buf, n, "%s in place%s, expected to leave inadequate by month %.0f: stalling; %s%s",
                 m->model, since, m->expected_months,
                 m->escalate_to ? "escalate to " : "no viable escalation is ranked first",
                 m->escalate_to ? m->escalate_to : "");
        break;
    case IMV_MON_IMPROVED:
        snprintf(buf, n, "%s in place%s and no longer inadequate: consider stepping down "
                         "(lifting the notice) if improvement has momentum",
                 m->model, since);
        break;
    case IMV_MON_UNKNOWN:
        snprintf(buf, n, "%s in place%s; its expected time is unknown (model not loaded or no date)",
                 m->model, since);
        break;
    }
}
