/* monitor.c - on track, stalled, deteriorating, or time to step down; and
 * what a commissioner's review is likely to recommend. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "imeval_aux.h"
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

static const imv_result *result_for(const imv_evaluation *e, const char *id)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->results[i].model->id, id) == 0)
            return &e->results[i];
    return NULL;
}

static imv_monitor_status status_of(imv_iv_status t)
{
    switch (t) {
    case IMV_IV_STATUS_ON_TRACK: return IMV_MON_ON_TRACK;
    case IMV_IV_STATUS_STALLED: return IMV_MON_STALLING;
    case IMV_IV_STATUS_DETERIORATING: return IMV_MON_DETERIORATING;
    case IMV_IV_STATUS_IMPROVED: return IMV_MON_IMPROVED;
    case IMV_IV_STATUS_NONE: return IMV_MON_NONE;
    default: return IMV_MON_UNKNOWN;
    }
}

static void escalate(const imv_evaluation *e, imv_monitor *out)
{
    if (e->recommended && strcmp(e->recommended, out->model) != 0)
        out->escalate_to = e->recommended;
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
    const imv_result *cur = result_for(e, p->iv_model);
    if (cur)
        out->expected_months = expected_for(cur);
    /* The view's decision, with the expected time the monitor knows
     * (the timeline to fair of a model that declares no stall_months). */
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    imv_profile_view_status(&v, p, out->expected_months);
    out->months = v.intervention_months;
    imv_intervention_why(&v, out->why, sizeof out->why);
    out->status = status_of(v.intervention_status);
    if (out->status == IMV_MON_IMPROVED)
        return;
    /* The model in place knows best whether it can go on: when it says it
     * cannot (a review that should already have reported, say), that is
     * the answer whatever the trajectory. */
    if (cur && !cur->error && !cur->viable && cur->n_unmet) {
        /* A commissioner is a review, not a delivery model (DOMAIN models:
         * "often to assess which long-term model to use"): one that has had
         * time to report while nothing says the council is getting worse has
         * done its work, it has not stalled; the next step is to act on what
         * it recommends. */
        if (strcmp(out->model, "commissioner") == 0 &&
            (out->status == IMV_MON_ON_TRACK || out->status == IMV_MON_UNKNOWN))
            out->status = IMV_MON_REVIEWED;
        else if (out->status != IMV_MON_DETERIORATING)
            out->status = IMV_MON_STALLING;
        out->reason = cur->unmet[0];
        escalate(e, out);
        return;
    }
    if (out->status == IMV_MON_STALLING || out->status == IMV_MON_DETERIORATING)
        escalate(e, out);
    if (out->status == IMV_MON_ON_TRACK && out->expected_months == IMV_UNKNOWN && !p->n_progress)
        out->status = IMV_MON_UNKNOWN;
}

const char *imv_monitor_status_name(imv_monitor_status s)
{
    static const char *const names[] = {"none",    "on_track",      "stalling", "improved",
                                        "unknown", "deteriorating", "reviewed"};
    return names[s];
}

static void next_step(const imv_monitor *m, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", m->escalate_to ? "escalate to " : "no viable escalation is ranked first",
             m->escalate_to ? m->escalate_to : "");
}

void imv_monitor_sentence(const imv_monitor *m, char *buf, size_t n)
{
    char since[64] = "", step[200];
    if (m->months != IMV_UNKNOWN)
        snprintf(since, sizeof since, " for %.0f months", floor(m->months));
    next_step(m, step, sizeof step);
    switch (m->status) {
    case IMV_MON_NONE: snprintf(buf, n, "no intervention in place"); break;
    case IMV_MON_ON_TRACK:
        /* 003 ch.1's "hold your nerve" is about internal data lagging
         * improving practice, so it is said only while nothing inspected
         * contradicts it. */
        snprintf(buf, n,
                 "%s in place%s (%s): on track; hold your nerve while the data catch up "
                 "with practice (003 ch.1)",
                 m->model, since, m->why);
        break;
    case IMV_MON_STALLING:
        if (m->reason) {
            snprintf(buf, n, "%s in place%s: change course: %s; %s%s", m->model, since, m->reason,
                     m->escalate_to ? "move to " : "no viable alternative ranks first",
                     m->escalate_to ? m->escalate_to : "");
            break;
        }
        snprintf(buf, n,
                 "%s in place%s (%s): stalling; %s (DOMAIN rules in force: still "
                 "inadequate under an intervention is escalated)",
                 m->model, since, m->why, step);
        break;
    case IMV_MON_DETERIORATING:
        snprintf(buf, n, "%s in place%s (%s): deteriorating; %s (DOMAIN rules in force)", m->model,
                 since, m->why, step);
        break;
    case IMV_MON_REVIEWED:
        snprintf(buf, n, "%s in place%s: reviewed: %s; %s%s", m->model, since,
                 m->reason ? m->reason : "its review is done",
                 m->escalate_to ? "the best-ranked model here is " : "no viable model ranks first",
                 m->escalate_to ? m->escalate_to : "");
        break;
    case IMV_MON_IMPROVED:
        snprintf(buf, n,
                 "%s in place%s and no longer inadequate: consider stepping down "
                 "(lifting the notice) if improvement has momentum",
                 m->model, since);
        break;
    case IMV_MON_UNKNOWN:
        snprintf(buf, n, "%s in place%s; its expected time is unknown (model not loaded or no date)",
                 m->model, since);
        break;
    }
}

/* ---- the commissioner's likely outcome ---------------------------------- */

/* The next free reason of o, or NULL when all are used. */
static char *next_reason(imv_outlook *o)
{
    return o->n_reasons < IMV_OUTLOOK_MAX_REASONS ? o->reasons[o->n_reasons++] : NULL;
}

#define BECAUSE(o, ...)                                             \
    do {                                                            \
        char *because_ = next_reason(o);                            \
        if (because_)                                               \
            snprintf(because_, sizeof(o)->reasons[0], __VA_ARGS__); \
    } while (0)

static imv_outlook_kind kind_of_model(const char *id)
{
    if (strcmp(id, "trust") == 0)
        return IMV_OUTLOOK_REMOVAL;
    if (strcmp(id, "executive_partnership") == 0 || strcmp(id, "strategic_partnership") == 0)
        return IMV_OUTLOOK_PARTNERSHIP;
    return IMV_OUTLOOK_KEEP_CONTROL;
}

/* The best-ranked viable model other than the commissioner, of a kind
 * (IMV_OUTLOOK_NONE: any kind). */
static const imv_result *next_viable(const imv_evaluation *e, imv_outlook_kind kind)
{
    for (size_t k = 0; k < e->n; k++) {
        const imv_result *r = &e->results[e->order[k]];
        if (r->error || !r->viable || strcmp(r->model->id, "commissioner") == 0)
            continue;
        if (kind == IMV_OUTLOOK_NONE || kind_of_model(r->model->id) == kind)
            return r;
    }
    return NULL;
}

#define EV_PATTERN "(DOMAIN what happened: commissioners' reviews)"

static int denial_or_corporate_failure(const double *rt, imv_outlook *o)
{
    size_t before = o->n_reasons;
    if (rt[IMV_R_ACCEPTANCE] < 1.5)
        BECAUSE(o,
                "leaders have not accepted the findings (acceptance %.1f): where leaders were "
                "'in a state of denial' or had not 'fully accepted' them, reviews led to removal " EV_PATTERN,
                rt[IMV_R_ACCEPTANCE]);
    if (rt[IMV_R_CORPORATE_LEADERSHIP] < 1.5)
        BECAUSE(o,
                "the corporate centre is weak or itself failing (corporate_leadership %.1f): "
                "where corporate culture was failing, reviews led to removal " EV_PATTERN,
                rt[IMV_R_CORPORATE_LEADERSHIP]);
    if (rt[IMV_R_POLITICAL_COMMITMENT] < 1.5)
        BECAUSE(o,
                "members dispute the failure or lack commitment (political_commitment %.1f): "
                "the third contention's case for removal (003 ch.4)",
                rt[IMV_R_POLITICAL_COMMITMENT]);
    return o->n_reasons > before;
}

/* 1 when the commissioner in place has done its review (monitor status
 * reviewed). */
static int reviewed(const imv_evaluation *e)
{
    if (!e->profile->iv_model || strcmp(e->profile->iv_model, "commissioner") != 0)
        return 0;
    imv_monitor m;
    imv_monitor_assess(e, &m);
    return m.status == IMV_MON_REVIEWED;
}

void imv_outlook_assess(const imv_evaluation *e, imv_outlook *out)
{
    memset(out, 0, sizeof *out);
    if (!e->recommended || (strcmp(e->recommended, "commissioner") != 0 && !reviewed(e)))
        return;
    double rt[IMV_R_COUNT];
    for (int i = 0; i < IMV_R_COUNT; i++)
        rt[i] = imv_range_point(&e->profile->ratings[i]);
    double member = (rt[IMV_R_POLITICAL_COMMITMENT] + rt[IMV_R_CORPORATE_LEADERSHIP]) / 2;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    const imv_result *to = NULL;
    if (denial_or_corporate_failure(rt, out)) {
        out->kind = IMV_OUTLOOK_REMOVAL;
        to = result_for(e, "trust");
    } else if (member >= 2.5 && rt[IMV_R_ACCEPTANCE] >= 2.5) {
        BECAUSE(out,
                "members and the corporate centre are committed (mean %.1f) and leaders accept "
                "the findings: where a commissioner found capacity and commitment the council "
                "kept control and often reached good " EV_PATTERN,
                member);
        const imv_result *pship = next_viable(e, IMV_OUTLOOK_PARTNERSHIP);
        if (officer < 1.5 && pship) {
            BECAUSE(out,
                    "officer capacity is thin (mean %.1f): control kept through a partnership "
                    "with a strong council (003 ch.4 second contention; DOMAIN record: "
                    "Leeds-Kirklees)",
                    officer);
            out->kind = IMV_OUTLOOK_PARTNERSHIP;
            to = pship;
        } else {
            out->kind = IMV_OUTLOOK_KEEP_CONTROL;
            to = next_viable(e, IMV_OUTLOOK_KEEP_CONTROL);
        }
    } else {
        to = next_viable(e, IMV_OUTLOOK_NONE);
        BECAUSE(out,
                "commitment (mean %.1f) is neither clearly there nor clearly absent: the review "
                "is likely to follow the best of the other models, as ranked here",
                member);
        out->kind = to ? kind_of_model(to->model->id) : IMV_OUTLOOK_KEEP_CONTROL;
    }
    out->model = to && to->viable ? to->model->id : NULL;
}

const char *imv_outlook_name(imv_outlook_kind k)
{
    static const char *const names[] = {"none", "keep_control", "partnership", "removal"};
    return names[k];
}

void imv_outlook_sentence(const imv_outlook *o, char *buf, size_t n)
{
    static const char *const what[] = {"", "keep control with support",
                                       "keep control through a partnership with a strong council",
                                       "removal to a trust"};
    int k = snprintf(buf, n, "likely outcome of the commissioner's review: %s%s%s%s", what[o->kind],
                     o->model ? " (" : "", o->model ? o->model : "", o->model ? ")" : "");
    for (size_t i = 0; i < o->n_reasons && k > 0 && (size_t)k < n; i++)
        k += snprintf(buf + k, n - (size_t)k, "%s%s", i ? "; " : ": ", o->reasons[i]);
}
