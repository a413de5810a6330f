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
