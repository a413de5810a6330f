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
 *     began and the findings of monitoring since, and from them (with the
 *     months it has run against its expected time) whether it is on track,
 *     stalled, deteriorating or has improved;
 *   - the rules in force at the profile's date (imeval_aux.h's table).
 *
 * This is the only place these facts are decided.  The monitor, the
 * bundled models (C and Lua) and any outside plugin read them from the
 * view, so a rule fixed here is fixed for every model at once, a plugin
 * built against an older header included (docs/plugin-guide.md).
 */
#include <string.h>

#include "imeval_aux.h"
#include "internal.h"

/* "inadequate more than once in five years" */
#define PERSISTENT_WINDOW_MONTHS 60.0
/* Months an intervention needs before a re-inspection at inadequate says it
 * is not working: 003 ch.1, about six months of diagnostic and six more to
 * stabilise core systems before practice can be expected to move. */
#define GRACE_MONTHS 12.0

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
                break; /* newest first: every later item is older still */
            if (p->previous[i] == IMV_G_INADEQUATE) {
                d->persistent_failure = IMV_FACT_YES;
                d->persistent_since = date;
                d->persistent_gap_months = gap;
                return;
            }
        } else if (p->previous[i] == IMV_G_INADEQUATE) {
            undated = 1; /* may or may not be within five years */
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
    /* "inadequate across all of the key judgements": of an authority
     * judged inadequate overall, and on two key judgements at least (one
     * alone does not show that every one is). */
    int n = 0;
    for (unsigned b = given; b; b &= b - 1)
        n++;
    d->systemic_failure = !given ? IMV_FACT_UNKNOWN
                          : p->grade == IMV_G_INADEQUATE && n >= 2 && inadequate == given
                              ? IMV_FACT_YES
                              : IMV_FACT_NO;
}

static imv_trend compare(imv_grade before, imv_grade after)
{
    /* Grades run best first; not_inspected says nothing either way. */
    if (before == IMV_G_NOT_INSPECTED || after == IMV_G_NOT_INSPECTED)
        return IMV_TREND_UNKNOWN;
    return after < before   ? IMV_TREND_IMPROVING
           : after > before ? IMV_TREND_DETERIORATING
                            : IMV_TREND_STATIC;
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
            baseline = p->previous[i]; /* in force when the intervention began */
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

/* The judgements under the intervention in place, placed against the one
 * in force when it began.  Only a date given as ofsted.inspected places the
 * current judgement under it: without one it is taken to be the judgement
 * the intervention followed (interventions follow judgements). */
static void under_intervention(const imv_profile *p, imv_derived *d)
{
    const char *since = p->iv_since;
    d->iv_baseline = IMV_G_NOT_INSPECTED;
    d->iv_reinspected_months = IMV_UNKNOWN;
    if (!p->inspected || imv_date_cmp(p->inspected, since) <= 0) {
        d->iv_baseline = p->grade;
        return;
    }
    for (size_t i = 0; i < p->n_previous; i++) {
        const char *date = p->previous_date ? p->previous_date[i] : NULL;
        if (!date)
            break; /* undated: the baseline cannot be placed */
        if (imv_date_cmp(date, since) <= 0) {
            d->iv_baseline = p->previous[i];
            break;
        }
        double in = imv_months_between(since, date);
        if (p->previous[i] == IMV_G_INADEQUATE && in >= GRACE_MONTHS && !d->iv_reinspected) {
            d->iv_reinspected = 1;
            d->iv_reinspected_months = in;
        }
    }
    /* Grades run best first; not_inspected is not comparable. */
    if (d->iv_baseline < IMV_G_NOT_INSPECTED && p->grade < IMV_G_NOT_INSPECTED &&
        p->grade > d->iv_baseline)
        d->iv_fell = 1;
    double in = imv_months_between(since, p->inspected);
    if (p->grade == IMV_G_INADEQUATE && in >= GRACE_MONTHS) {
        d->iv_reinspected = 1;
        d->iv_reinspected_months = in;
    }
}

/* A finding dated at or after the re-inspection says improving: the
 * inspectors themselves saw it moving (003 case study 3: Doncaster 2015). */
static int improving_since(const imv_profile *p, double reinspected_months)
{
    for (size_t i = 0; i < p->n_progress; i++)
        if (p->progress[i].finding == IMV_TREND_IMPROVING &&
            imv_months_between(p->iv_since, p->progress[i].date) >= reinspected_months - 0.5)
            return 1;
    return 0;
}

static void intervention(const imv_profile *p, imv_derived *d)
{
    d->iv_baseline = IMV_G_NOT_INSPECTED;
    d->iv_reinspected_months = IMV_UNKNOWN;
    if (!p->iv_model || !p->iv_since)
        return;
    under_intervention(p, d);
    d->iv_rescued = d->iv_reinspected && improving_since(p, d->iv_reinspected_months);
}

void imv_facts_status(const imv_profile *p, double expected, imv_iv_fact *out)
{
    const imv_derived *d = &p->derived;
    memset(out, 0, sizeof *out);
    if (!p->iv_model)
        return;
    if (!p->iv_since) {
        out->status = IMV_IV_STATUS_UNKNOWN;
        return;
    }
    double months = imv_months_between(p->iv_since, p->as_of);
    imv_trend latest = p->n_progress ? p->progress[0].finding : IMV_TREND_UNKNOWN;
    out->past_expected = p->grade == IMV_G_INADEQUATE && expected != IMV_UNKNOWN &&
                         months != IMV_UNKNOWN && months >= expected;
    imv_iv_status st;
    imv_iv_signal sg;
    if (p->grade != IMV_G_INADEQUATE && p->grade != IMV_G_NOT_INSPECTED && !d->iv_fell)
        st = IMV_IV_STATUS_IMPROVED, sg = IMV_IV_SIGNAL_JUDGED;
    else if (d->iv_fell)
        st = IMV_IV_STATUS_DETERIORATING, sg = IMV_IV_SIGNAL_FELL;
    else if (latest == IMV_TREND_DETERIORATING)
        st = IMV_IV_STATUS_DETERIORATING, sg = IMV_IV_SIGNAL_FINDING_DETERIORATING;
    else if (d->iv_reinspected && !d->iv_rescued)
        st = IMV_IV_STATUS_STALLED, sg = IMV_IV_SIGNAL_REINSPECTED;
    else if (latest == IMV_TREND_STATIC)
        st = IMV_IV_STATUS_STALLED, sg = IMV_IV_SIGNAL_FINDING_STATIC;
    /* Months are one signal: they decide only when no finding says the
     * service is improving. */
    else if (out->past_expected && latest != IMV_TREND_IMPROVING && !d->iv_rescued)
        st = IMV_IV_STATUS_STALLED, sg = IMV_IV_SIGNAL_PAST_EXPECTED;
    else
        st = IMV_IV_STATUS_ON_TRACK, sg = d->iv_rescued                 ? IMV_IV_SIGNAL_RESCUED
                                          : latest != IMV_TREND_UNKNOWN ? IMV_IV_SIGNAL_FINDING
                                                                        : IMV_IV_SIGNAL_MONTHS;
    out->status = st;
    out->signal = sg;
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
    intervention(p, out);
    out->rules_in_force = rules_at(p->as_of);
}
