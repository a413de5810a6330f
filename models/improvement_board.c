/*
 * improvement_board.c - improvement notice with an independently chaired
 * improvement board.
 *
 * Evidence: 003 ch.4 "Formal improvement support and intervention" (first
 * contention: "peer support and oversight from an improvement board may be
 * the most appropriate option where a local children's service has both
 * the officer and elected member capacity to drive and sustain
 * improvement"); 003 ch.3 (what effective boards do: tenacious chairs,
 * partners at the table); 003 case study 2 (Barnsley 2012: inadequate ->
 * RI 2014, notice lifted Nov 2014).
 *
 * Declared monotonicity (tests/check_models.c checks it):
 *   never lowered by more senior_leadership, middle_leadership,
 *     political_commitment, corporate_leadership, acceptance, governance,
 *     workforce_stability, leadership_stability, financial_resilience;
 *   never raised by more failure_extent;
 *   partnerships, self_assessment, initial_response: no effect on the score.
 *
 * Thread safety: no mutable state outside the call.
 */
#include <math.h>
#include <string.h>

#include "imeval_plugin.h"

enum {
    P_W_OFFICER, P_W_MEMBER, P_W_ACCEPTANCE, P_W_GOVERNANCE, P_W_EXTENT,
    P_W_WORKFORCE, P_W_STABILITY, P_W_FINANCE, P_W_AGENCY, P_W_CHURN,
    P_PERSISTENT, P_RI_PENALTY, P_MIN_OFFICER, P_MIN_MEMBER, P_STALL,
    P_SETUP, P_CONTINUITY, P_COUNT
};

static const imv_param_def params[P_COUNT] = {
    [P_W_OFFICER] = {"w_officer", 8, 0, 20,
        "points per rating point of officer capacity (mean of senior and middle leadership) above 2", IMV_PLAUSIBLE(6, 10)},
    [P_W_MEMBER] = {"w_member", 8, 0, 20,
        "points per rating point of member capacity (mean of political commitment and corporate leadership) above 2", IMV_PLAUSIBLE(6, 10)},
    [P_W_ACCEPTANCE] = {"w_acceptance", 4, 0, 10,
        "points per rating point of acceptance above 2", IMV_PLAUSIBLE(3, 5)},
    [P_W_GOVERNANCE] = {"w_governance", 3, 0, 10,
        "points per rating point of governance above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_EXTENT] = {"w_extent", 5, 0, 15,
        "points lost per rating point of failure_extent above 2", IMV_PLAUSIBLE(3.75, 6.25)},
    [P_W_WORKFORCE] = {"w_workforce", 3, 0, 10,
        "points per rating point of workforce_stability above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_STABILITY] = {"w_stability", 4, 0, 10,
        "points per rating point of leadership_stability above 2", IMV_PLAUSIBLE(3, 5)},
    [P_W_FINANCE] = {"w_finance", 3, 0, 10,
        "points per rating point of financial_resilience above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_AGENCY] = {"w_agency", 3, 0, 10,
        "points lost per 10 percentage points of agency_rate above 15%", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_CHURN] = {"w_churn", 2, 0, 5,
        "points lost per leadership change beyond two in three years (up to three)", IMV_PLAUSIBLE(1.5, 2.5)},
    [P_PERSISTENT] = {"persistent_penalty", 10, 0, 30,
        "points lost for persistent failure (inadequate now and at one of the two previous inspections)", IMV_PLAUSIBLE(7.5, 12.5)},
    [P_RI_PENALTY] = {"ri_penalty", 10, 0, 30,
        "points lost when the authority is not judged inadequate (a notice follows an inadequate judgement)", IMV_PLAUSIBLE(7.5, 12.5)},
    [P_MIN_OFFICER] = {"min_officer_capacity", 1.5, 0, 4,
        "officer capacity below which a board has nobody to hold to account", IMV_PLAUSIBLE(1.25, 1.75)},
    [P_MIN_MEMBER] = {"min_member_capacity", 1.5, 0, 4,
        "member capacity below which a board has no political backing to work with", IMV_PLAUSIBLE(1.25, 1.75)},
    [P_STALL] = {"stall_months", 24, 6, 72,
        "months under a board, still inadequate, after which the board has stalled", IMV_PLAUSIBLE(18, 30)},
    [P_SETUP] = {"setup_months", 2, 0, 12,
        "months to issue the notice and convene the board", IMV_PLAUSIBLE(1.5, 2.5)},
    [P_CONTINUITY] = {"continuity_bonus", 5, 0, 20,
        "points when this model is already in place, the authority inadequate, and within its expected time", IMV_PLAUSIBLE(3.75, 6.25)},
};

#define EV_CONTENTION "003 ch.4 Formal improvement support: board where both officer and elected member capacity"
#define EV_JOURNEY "003 ch.1 The timeline of improvement"
#define EV_WORKFORCE "003 ch.2 Enabler 3: workforce turbulence after an inadequate judgement"
#define EV_STABILITY "003 ch.2 Enabler 2: stable leadership; ch.3 'parachuted leadership'"
#define EV_FINANCE "003 ch.2 Enabler 7: finance plan aligned with the improvement plan"
#define EV_RULES "DOMAIN rules in force: commissioner for persistent or systemic failure"

/* A running score and where its reasons go. */
typedef struct acc {
    double s;
    imv_result *r;
    const imv_host *h;
    int quiet;
} acc;

static void add(acc *a, const char *fields, double pts, const char *up,
                const char *down, const char *ev)
{
    a->s += pts;
    if (!a->quiet && fabs(pts) >= 0.05)
        a->h->add_reason(a->r, fields, pts, pts > 0 ? up : down, ev);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* This model is in place now, the authority still inadequate, and the
 * model still within its expected time: changing course would throw away
 * the set-up and the momentum (003 ch.1: "hold your nerve" while data lag). */
static int continuing(const imv_profile_view *p, const double *w)
{
    return p->intervention_model && strcmp(p->intervention_model, "improvement_board") == 0
           && p->grade == IMV_G_INADEQUATE
           && (p->intervention_months == IMV_UNKNOWN || p->intervention_months < w[P_STALL]);
}

static int persistent(const imv_profile_view *p)
{
    if (p->grade != IMV_G_INADEQUATE)
        return 0;
    for (size_t i = 0; i < p->n_previous && i < 2; i++)
        if (p->previous[i] == IMV_G_INADEQUATE)
            return 1;
    return 0;
}

/* Workforce instability, leadership churn and weak finances lower every
 * model (DOMAIN cross-cutting findings); a board depends on the council's
 * own staff and leaders, so it carries the full weights. */
static void conditions(acc *a, const imv_profile_view *p, const double *w)
{
    const double *rt = p->ratings;
    add(a, "ratings.workforce_stability",
        w[P_W_WORKFORCE] * (rt[IMV_R_WORKFORCE_STABILITY] - 2),
        "a stable permanent workforce can carry the board's plan",
        "workforce turbulence will slow delivery of the board's plan", EV_WORKFORCE);
    add(a, "ratings.leadership_stability",
        w[P_W_STABILITY] * (rt[IMV_R_LEADERSHIP_STABILITY] - 2),
        "stable leaders give the board consistent people to hold to account",
        "leadership churn leaves the board nobody stable to hold to account", EV_STABILITY);
    add(a, "ratings.financial_resilience",
        w[P_W_FINANCE] * (rt[IMV_R_FINANCIAL_RESILIENCE] - 2),
        "the council can fund the improvement plan the board oversees",
        "the council cannot readily fund the improvement the board will demand", EV_FINANCE);
    if (IMV_HAS_FACT(p, IMV_F_AGENCY_RATE) && p->facts[IMV_F_AGENCY_RATE] > 0.15)
        add(a, "facts.agency_rate",
            -w[P_W_AGENCY] * (p->facts[IMV_F_AGENCY_RATE] - 0.15) / 0.10, "",
            "a high agency rate means the practice the board scrutinises keeps changing hands",
            EV_WORKFORCE);
    if (IMV_HAS_FACT(p, IMV_F_LEADERSHIP_CHANGES_3Y)) {
        double n = clamp(p->facts[IMV_F_LEADERSHIP_CHANGES_3Y] - 2, 0, 3);
        add(a, "facts.leadership_changes_3y", -w[P_W_CHURN] * n, "",
            "repeated changes of director destabilise a council-led plan", EV_STABILITY);
    }
}

static void capacity(acc *a, const imv_profile_view *p, const double *w,
                     double officer, double member)
{
    const double *rt = p->ratings;
    add(a, "ratings.senior_leadership,ratings.middle_leadership",
        w[P_W_OFFICER] * (officer - 2),
        "officers have the capacity to drive the plan the board oversees",
        "officer capacity is too thin for a board alone to work through", EV_CONTENTION);
    add(a, "ratings.political_commitment,ratings.corporate_leadership",
        w[P_W_MEMBER] * (member - 2),
        "elected members and the corporate centre can drive and sustain improvement",
        "members and the corporate centre are not yet able to drive improvement", EV_CONTENTION);
    add(a, "ratings.acceptance", w[P_W_ACCEPTANCE] * (rt[IMV_R_ACCEPTANCE] - 2),
        "leaders accept the judgement, so the board can move straight to action",
        "leaders do not fully accept the judgement; a board relies on their cooperation",
        "003 ch.1 factor (b): full and frank acknowledgement is a precondition");
    add(a, "ratings.governance", w[P_W_GOVERNANCE] * (rt[IMV_R_GOVERNANCE] - 2),
        "scrutiny and delegation exist for the board to build on",
        "governance is weak; the board must build it from scratch",
        "003 ch.3 Formal improvement support (a): boards ensure robust governance");
    add(a, "ratings.failure_extent", -w[P_W_EXTENT] * (rt[IMV_R_FAILURE_EXTENT] - 2),
        "the failure is contained, within reach of a council-led plan",
        "the failure is widespread; oversight alone may not reach it",
        "003 ch.1 factor (a): depth and extent of the failure");
}

static void preconditions(const imv_profile_view *p, const double *w,
                          imv_result *r, const imv_host *h,
                          double officer, double member)
{
    if (p->grade <= IMV_G_GOOD)
        h->add_unmet(r, "the authority is good or better: it needs no improvement notice "
                        "(DOMAIN rules in force: a notice follows an inadequate judgement)");
    if (officer < w[P_MIN_OFFICER])
        h->add_unmet(r, "officer capacity is too low for a board to hold to account; "
                        "consider an executive partnership (003 ch.4 second contention)");
    if (member < w[P_MIN_MEMBER])
        h->add_unmet(r, "political and corporate capacity is too low for a board; "
                        "consider a commissioner (003 ch.4 third contention, DOMAIN rules)");
    if (p->intervention_model && strcmp(p->intervention_model, "improvement_board") == 0
        && p->grade == IMV_G_INADEQUATE && p->intervention_months != IMV_UNKNOWN
        && p->intervention_months >= w[P_STALL])
        h->add_unmet(r, "a board has been in place past its expected time and the authority "
                        "is still inadequate: it has stalled; escalate to a commissioner, then a "
                        "trust (DOMAIN rules: notice -> direction -> commissioner -> removal)");
}

static void timeline(const imv_profile_view *p, const double *w,
                     imv_result *r, const imv_host *h)
{
    imv_journey j = {.struct_size = sizeof j};
    h->journey(p, &j);
    double s = w[P_SETUP];
    h->set_timeline(r, s, j.months_to_fair > 0 ? s + j.months_to_fair : 0,
                    j.months_to_good > 0 ? s + j.months_to_good : 0);
}

static int score(const imv_profile_view *p, const double *w, imv_result *r,
                 const imv_host *h)
{
    const double *rt = p->ratings;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    double member = (rt[IMV_R_POLITICAL_COMMITMENT] + rt[IMV_R_CORPORATE_LEADERSHIP]) / 2;
    acc a = {.s = 50, .r = r, .h = h, .quiet = (p->flags & IMV_VIEW_SCORE_ONLY) != 0};

    capacity(&a, p, w, officer, member);
    conditions(&a, p, w);
    if (continuing(p, w))
        add(&a, "current_intervention", w[P_CONTINUITY], "a board is in place and still within its expected time: hold your nerve rather than restart", "",
            "003 ch.1 poor to fair: hold your nerve while data lag practice");
    if (persistent(p))
        add(&a, "ofsted.grade,ofsted.previous", -w[P_PERSISTENT], "",
            "persistent failure: the rules point to a commissioner rather than a notice", EV_RULES);
    if (p->grade != IMV_G_INADEQUATE)
        add(&a, "ofsted.grade", -w[P_RI_PENALTY], "",
            "not judged inadequate: a notice and board are more than the position calls for",
            "DOMAIN rules in force: notices follow an inadequate judgement");
    h->set_score(r, clamp(a.s, 0, 100));
    preconditions(p, w, r, h, officer, member);
    if (a.quiet)
        return 0;
    timeline(p, w, r, h);
    if (rt[IMV_R_PARTNERSHIPS] < 2)
        h->add_risk(r, "partners are disengaged: the chair must bring them to the table "
                       "(003 ch.2 Enabler 4: tenacious independent chairs)");
    h->add_risk(r, "pace can drop once the notice is lifted and the board stands down "
                   "(003 ch.1 fair to good; Barnsley's continuous improvement framework)");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "improvement_board",
    .name = "Improvement board",
    .version = "1.0.0",
    .summary = "Improvement notice with an independently chaired board; fits where officers and "
               "members both have capacity. Rises with senior/middle leadership, political "
               "commitment, corporate leadership, acceptance, governance, workforce and "
               "leadership stability, finances; falls with failure_extent.",
    .evidence = "003 ch.4 first contention; 003 ch.3 formal support (a); 003 case study 2 "
                "(Barnsley); DOMAIN rules in force",
    IMV_PARAMS(params),
    .score = score,
    .score_batch = NULL,
    /* How a higher rating moves the score (tests/check_models.c checks it). */
    .directions =
        "senior_leadership:+,middle_leadership:+,leadership_stability:+,political_commitment:+,"
        "corporate_leadership:+,acceptance:+,governance:+,partnerships:0,"
        "self_assessment:0,workforce_stability:+,financial_resilience:+,failure_extent:-,"
        "initial_response:0",
};

/* The SDK header does not declare the entry point; declare it here so that
 * -Wmissing-prototypes builds stay clean. */
IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h);

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
