/*
 * facts.c - the facts the rules in force need, derived once from a
 * profile and given to every model in the view (issue 10: models stopped
 * recomputing them; issue 11 point 3: one rule, one date logic).
 *
 * Each fact is the one DOMAIN "The rules in force" names, read from the
 * dated history of PROFILE-FORMAT.md, never from a subjective rating:
 *   - persistent failure: "inadequate more than once in five years";
 *   - systemic failure: "inadequate on every key judgement";
 *   - the trajectory under an intervention: the judgements made after it
 *     began and the findings of monitoring since;
 *   - the rules in force at the profile's date (imeval_aux.h's table).
 */
#include <string.h>

#include "imeval_aux.h"
#include "internal.h"

/* "inadequate more than once in five years" */
#define PERSISTENT_WINDOW_MONTHS 60.0

static const char *current_date(const imv_profile *p)
{
    return p->inspected ? p->inspected : p->as_of;
}

/* Months from a to b (b later), or a negative number when b is earlier. */
static double months_from(const char *a, const char *b)
{
    int c = imv_date_cmp(a, b);
    double m = imv_months_between(c <= 0 ? a : b, c <= 0 ? b : a);
    return c <= 0 ? m : -m;
}

static void persistent(const imv_profile *p, imv_derived *d)
{
    d->persistent_failure = IMV_FACT_NO;
    d->persistent_gap_months = IMV_UNKNOWN;
    if (p->grade != IMV_G_INADEQUATE)
        return;
    const char *now = current_date(p);
    int undated = 0;
    for (size_t i = 0; i < p->n_previous; i++) {
        const char *date = p->previous_date ? p->previous_date[i] : NULL;
        if (date) {
            double gap = months_from(date, now);
            if (gap > PERSISTENT_WINDOW_MONTHS)
                break;       /* newest first: every later item is older still */
            if (p->previous[i] == IMV_G_INADEQUATE) {
                d->persistent_failure = IMV_FACT_YES;
                d->persistent_since = date;
                d->persistent_gap_months = gap;
                return;
            }
        } else if (p->previous[i] == IMV_G_INADEQUATE) {
            undated = 1;     /* may or may not be within five years */
        }
    }
    if (undated)
        d->persistent_failure = IMV_FACT_UNDATED;
}

static void systemic(const imv_profile *p, imv_derived *d)
{
    const char *at = current_date(p);
    unsigned given = 0, inadequate = 0;
    for (int j = 0; j < IMV_J_COUNT; j++) {
        if (!((p->judgements_present >> j) & 1u) || !imv_judgement_is_key(j, at))
            continue;
        given |= 1u << j;
        if (p->judgements[j] == IMV_G_INADEQUATE)
            inadequate |= 1u << j;
    }
    d->key_judgements_given = given;
    d->systemic_failure = !given ? IMV_FACT_UNKNOWN
                          : inadequate == given ? IMV_FACT_YES : IMV_FACT_NO;
}

static imv_trend compare(imv_grade before, imv_grade after)
{
    /* Grades run best first; not_inspected says nothing either way. */
    if (before == IMV_G_NOT_INSPECTED || after == IMV_G_NOT_INSPECTED)
        return IMV_TREND_UNKNOWN;
    return after < before ? IMV_TREND_IMPROVING
           : after > before ? IMV_TREND_DETERIORATING : IMV_TREND_STATIC;
}

/* The judgements made after `since`: the current one only when its date
 * was given (without ofsted.inspected the current grade may be the one
 * that brought the intervention), and every dated earlier one. */
static void judgement_trend(const imv_profile *p, imv_derived *d, const char **newest_date)
{
    const char *since = p->iv_since;
    imv_grade newest = IMV_G_NOT_INSPECTED, baseline = IMV_G_INADEQUATE;
    int have_newest = 0, have_baseline = 0;
    *newest_date = NULL;
    if (p->inspected && imv_date_cmp(p->inspected, since) > 0) {
        newest = p->grade;
        *newest_date = p->inspected;
        have_newest = 1;
        d->judgements_since++;
    } else if (p->inspected) {
        baseline = p->grade;
        have_baseline = 1;
    }
    for (size_t i = 0; i < p->n_previous && !have_baseline; i++) {
        const char *date = p->previous_date ? p->previous_date[i] : NULL;
        if (!date)
            continue;
        if (imv_date_cmp(date, since) > 0) {
            d->judgements_since++;
            if (!have_newest) {
                newest = p->previous[i];
                *newest_date = date;
                have_newest = 1;
            }
        } else {
            baseline = p->previous[i];   /* in force when the intervention began */
            have_baseline = 1;
        }
    }
    /* Interventions follow an inadequate judgement (DOMAIN rules in
     * force), so that is the baseline when none is dated. */
    d->judgement_trend = have_newest ? compare(baseline, newest) : IMV_TREND_UNKNOWN;
}

static void trajectory(const imv_profile *p, imv_derived *d)
{
    d->trajectory = d->judgement_trend = d->latest_finding = IMV_TREND_UNKNOWN;
    if (!p->iv_model || !p->iv_since)
        return;
    const char *jdate;
    judgement_trend(p, d, &jdate);
    const char *fdate = p->n_progress ? p->progress[0].date : NULL;
    if (fdate)
        d->latest_finding = p->progress[0].finding;
    if (jdate && d->judgement_trend != IMV_TREND_UNKNOWN &&
        (!fdate || imv_date_cmp(jdate, fdate) >= 0)) {
        d->trajectory = d->judgement_trend;
        d->trajectory_date = jdate;
    } else if (fdate) {
        d->trajectory = d->latest_finding;
        d->trajectory_date = fdate;
    }
}

static unsigned rules_at(const char *as_of)
{
    unsigned bits = 0;
    for (int i = 0; i < IMV_RULE_COUNT; i++)
        if (as_of && imv_date_cmp(as_of, imv_rule(i)->since) >= 0)
            bits |= imv_rule(i)->bit;
    return bits;
}

void imv_facts_derive(const imv_profile *p, imv_derived *out)
{
    memset(out, 0, sizeof *out);
    persistent(p, out);
    systemic(p, out);
    trajectory(p, out);
    out->rules_in_force = rules_at(p->as_of);
}
