/*
 * journey.c - the baseline improvement journey (report 003 ch.1).
 *
 * 003 ch.1 "The timeline of improvement": poor -> fair takes "around two
 * years" (4-6 months diagnostic, ~6 months stabilising core systems, a year
 * of iterative implementation); fair -> good "roughly three years" more.
 * Three factors slow or speed this: (a) the depth, extent and duration of
 * the failure, (b) how long leaders take to recognise and accept the
 * weaknesses, (c) the effectiveness of the initial response.  We turn
 * those three factors into one multiplier on the 24- and 36-month bases.
 *
 * The coefficients are judgements calibrated against the cases in the
 * seeds, not fitted: with every factor at its worst the journey is about
 * 1.7x the base (poor -> good in ~8.5 years, cf. Doncaster's "decade" of
 * "improvement and regression", 003 case study 3); with every factor at its
 * best about 0.75x (Plymouth 2006: zero stars to "good" in two years, 000).
 */
#include <string.h>

#include "internal.h"
#include "journey.h"

/* 003 ch.1: "around two years to move from poor to fair". */
#define BASE_TO_FAIR 24.0
/* 003 ch.1: "to move from fair to good ... around a further three years". */
#define BASE_FAIR_TO_GOOD 36.0

/* Factor (a), extent: "a small number of crucial elements ... unsafe"
 * (failure_extent ~2) against "almost all parts of the system ... in a
 * state of crisis" (4).  +/-10% per point around the anchor 2. */
#define K_EXTENT 0.10
/* Factor (a), duration: "if the service had been failing for a significant
 * period of time" the journey "would take longer".  +3% a year beyond two
 * years, counted up to ten years (Doncaster's decade). */
#define K_YEARS 0.03
#define YEARS_FREE 2.0
#define YEARS_CAP 10.0
/* Factor (b), acceptance: "Unless there was full and frank acknowledgement
 * ... no meaningful work could take place"; "if leaders ... were not
 * willing to recognise the scale of past failure ... could take longer".
 * +/-8% per point around "partial acknowledgement" (2). */
#define K_ACCEPT 0.08
/* Factor (c), initial response: false starts, rushed restructures, "mass
 * exodus of permanent staff".  +/-6% per point around "mixed" (2). */
#define K_RESPONSE 0.06
/* No plausible profile makes the journey shorter than ~3/4 or longer than
 * ~1.8x the research's typical case (003 ch.1: "indicative timescales"). */
#define FACTOR_MIN 0.70
#define FACTOR_MAX 1.80

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double journey_factor(const imv_profile_view *p)
{
    double f = 1.0;
    f += K_EXTENT * (p->ratings[IMV_R_FAILURE_EXTENT] - 2.0);
    f += K_ACCEPT * (2.0 - p->ratings[IMV_R_ACCEPTANCE]);
    f += K_RESPONSE * (2.0 - p->ratings[IMV_R_INITIAL_RESPONSE]);
    if (IMV_HAS_FACT(p, IMV_F_FAILURE_YEARS)) {
        double y = clamp(p->facts[IMV_F_FAILURE_YEARS], 0.0, YEARS_CAP);
        if (y > YEARS_FREE)
            f += K_YEARS * (y - YEARS_FREE);
    }
    return clamp(f, FACTOR_MIN, FACTOR_MAX);
}

void imv_journey_compute(const imv_profile_view *p, imv_journey *out)
{
    double f = journey_factor(p);

    out->struct_size = sizeof *out;
    out->factor = f;
    switch (p->grade) {
    case IMV_G_OUTSTANDING:
    case IMV_G_GOOD:
        /* Already at the end of the journey this tool measures. */
        out->months_to_fair = 0.0;
        out->months_to_good = 0.0;
        break;
    case IMV_G_REQUIRES_IMPROVEMENT:
        /* "Fair" in the report's terms: only the fair -> good leg remains. */
        out->months_to_fair = 0.0;
        out->months_to_good = BASE_FAIR_TO_GOOD * f;
        break;
    default:
        /* Inadequate, or not inspected: assume the whole journey, the
         * cautious reading when nothing better is known. */
        out->months_to_fair = BASE_TO_FAIR * f;
        out->months_to_good = (BASE_TO_FAIR + BASE_FAIR_TO_GOOD) * f;
        break;
    }
}

/* ---- ranges ------------------------------------------------------------ */

/* DOMAIN what happened: councils that kept control with a board or a peer
 * partner left "inadequate" in about 2-3.7 years, against the research's
 * two (003 ch.1); a model that declares no spread of its own gets this. */
#define RANGE_LOW 0.85
#define RANGE_HIGH 1.55
/* DOMAIN: trusts took 14-24 months to go live against the usual 18. */
#define SETUP_LOW 0.78
#define SETUP_HIGH 1.33
/* Workforce collapse "slows every model" (DOMAIN cross-cutting): the high
 * end moves out 10% per point of workforce_stability below 2, and by the
 * share of a rate above 15% (DOMAIN: agency rates of 18-28% in the cases). */
#define K_WORKFORCE 0.10
#define RATE_FREE 0.15

static double param_or(const imv_model *m, const char *name, double def)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return m->values[i];
    return def;
}

/* The journey factor with the three slowing factors at one end of their
 * ranges (best: 1, worst: -1) relative to the point values. */
static double factor_at(const imv_profile *p, int end)
{
    imv_profile_view v;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    v.grade = p->grade;
    for (int i = 0; i < IMV_R_COUNT; i++)
        v.ratings[i] = imv_range_point(&p->ratings[i]);
    v.facts_present = p->facts_present;
    memcpy(v.facts, p->facts, sizeof v.facts);
    double base = journey_factor(&v);
    const imv_range *fe = &p->ratings[IMV_R_FAILURE_EXTENT];
    const imv_range *ac = &p->ratings[IMV_R_ACCEPTANCE];
    const imv_range *ir = &p->ratings[IMV_R_INITIAL_RESPONSE];
    v.ratings[IMV_R_FAILURE_EXTENT] = end > 0 ? fe->low : fe->high;
    v.ratings[IMV_R_ACCEPTANCE] = end > 0 ? ac->high : ac->low;
    v.ratings[IMV_R_INITIAL_RESPONSE] = end > 0 ? ir->high : ir->low;
    return base > 0 ? journey_factor(&v) / base : 1;
}

static double unstable(const imv_profile *p)
{
    double w = 1 + K_WORKFORCE *
                       clamp(2 - imv_range_point(&p->ratings[IMV_R_WORKFORCE_STABILITY]), 0, 2);
    static const int rates[] = {IMV_F_AGENCY_RATE, IMV_F_VACANCY_RATE, IMV_F_TURNOVER_RATE};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if ((p->facts_present >> rates[i]) & 1u)
            w += clamp(p->facts[rates[i]] - RATE_FREE, 0, 0.5);
    return w;
}

static void leg(imv_months_range *out, double setup, double total, double lo, double hi)
{
    out->likely = total;
    if (total == IMV_UNKNOWN) {
        out->low = out->high = IMV_UNKNOWN;
        return;
    }
    double s = setup == IMV_UNKNOWN ? 0 : setup;
    double run = total - s > 0 ? total - s : 0;
    out->low = s * (s > 0 ? SETUP_LOW : 1) + run * lo;
    out->high = s * (s > 0 ? SETUP_HIGH : 1) + run * hi;
    if (out->low > total)
        out->low = total;
    if (out->high < total)
        out->high = total;
}

void imv_timeline_range_compute(const imv_profile *p, const imv_result *r, imv_timeline_range *out)
{
    double lo = param_or(r->model, "range_low", RANGE_LOW) * factor_at(p, 1);
    double hi = param_or(r->model, "range_high", RANGE_HIGH) * factor_at(p, -1) * unstable(p);
    out->setup.likely = r->setup_months;
    out->setup.low = r->setup_months == IMV_UNKNOWN ? IMV_UNKNOWN : r->setup_months * SETUP_LOW;
    out->setup.high = r->setup_months == IMV_UNKNOWN ? IMV_UNKNOWN : r->setup_months * SETUP_HIGH;
    leg(&out->fair, r->setup_months, r->months_to_fair, lo, hi);
    leg(&out->good, r->setup_months, r->months_to_good, lo, hi);
}
