/*
 * commissioner.c - a DfE-appointed commissioner who reviews the council
 * (about 2-4 months), directs, and recommends the long-term model.
 *
 * Evidence: DOMAIN "rules in force" (since 2016 a commissioner for
 * persistent failure - inadequate more than once in five years - or
 * systemic failure; escalation notice -> direction -> commissioner ->
 * removal); DOMAIN "what happened" (commissioners where leaders were "in a
 * state of denial", corporate culture failing, findings not "fully
 * accepted"); 003 ch.3 formal support (d) "appointing commissioners or
 * creating independent trusts"; 003 ch.4 third contention (commitment and
 * capacity absent at service, corporate and political level; the
 * commissioner is how that is judged); 002 (Torbay's commissioner
 * recommended the Plymouth partnership); 003 case study 3 (Doncaster: the
 * 2013 review preceded the trust).
 *
 * Declared monotonicity (tests/check_models.c checks it):
 *   never raised by more senior_leadership, middle_leadership,
 *     political_commitment, corporate_leadership, acceptance (the more
 *     the council can and will do, the less it needs a commissioner);
 *   never lowered by more failure_extent;
 *   never lowered by more workforce_stability, leadership_stability,
 *     financial_resilience (conditions weigh on every model);
 *   governance, partnerships, self_assessment, initial_response: no effect.
 *
 * Thread safety: no mutable state outside the call.
 */
#include <math.h>
#include <string.h>

#include "imeval_plugin.h"

enum {
    P_BASE, P_PERSISTENT, P_W_EXTENT, P_SYSTEMIC_EXTENT, P_W_SYSTEMIC,
    P_W_COMMITMENT, P_W_ACCEPTANCE, P_W_CAPACITY, P_ESCALATION,
    P_W_CONDITIONS, P_REVIEW, P_STALL, P_RULES_YEAR, P_COUNT
};

static const imv_param_def params[P_COUNT] = {
    [P_BASE] = {"base", 35, 0, 100, "score before any factor", .flags = IMV_PARAM_BASE},
    [P_PERSISTENT] = {"persistent_bonus", 18, 0, 40,
        "points for persistent failure (inadequate now and at one of the two previous inspections)", IMV_PLAUSIBLE(13.5, 22.5)},
    [P_W_EXTENT] = {"w_extent", 5, 0, 15,
        "points per rating point of failure_extent above 2", IMV_PLAUSIBLE(3.75, 6.25)},
    [P_SYSTEMIC_EXTENT] = {"systemic_extent", 3.5, 2, 4,
        "failure_extent at or above which the failure is systemic", IMV_PLAUSIBLE(3.25, 3.75)},
    [P_W_SYSTEMIC] = {"systemic_bonus", 8, 0, 30,
        "points for systemic failure", IMV_PLAUSIBLE(6, 10)},
    [P_W_COMMITMENT] = {"w_commitment", 7, 0, 20,
        "points per rating point by which member capacity (mean political commitment and corporate leadership) falls below 2", IMV_PLAUSIBLE(5.25, 8.75)},
    [P_W_ACCEPTANCE] = {"w_acceptance", 4, 0, 15,
        "points per rating point by which acceptance falls below 2", IMV_PLAUSIBLE(3, 5)},
    [P_W_CAPACITY] = {"w_capacity", 3, 0, 15,
        "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_ESCALATION] = {"escalation_bonus", 15, 0, 40,
        "points when the current intervention has stalled", IMV_PLAUSIBLE(11.25, 18.75)},
    [P_W_CONDITIONS] = {"w_conditions", 1, 0, 5,
        "points per rating point of workforce stability, leadership stability and finances above 2", IMV_PLAUSIBLE(0.75, 1.25)},
    [P_REVIEW] = {"review_months", 3, 1, 12,
        "months for the commissioner's review (DOMAIN: about 2-4)", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_STALL] = {"stall_months", 18, 6, 48,
        "months under a commissioner, still inadequate, after which it has stalled", IMV_PLAUSIBLE(13.5, 22.5)},
    [P_RULES_YEAR] = {"rules_year", 2016, 2000, 2100,
        "year from which persistent failure triggers a commissioner (DOMAIN: since 2016)", .flags = IMV_PARAM_FIXED},
};

#define EV_RULES "DOMAIN rules in force: commissioner for persistent (inadequate twice in five years) or systemic failure"
#define EV_DENIAL "DOMAIN what happened: commissioners where leaders were in denial or had not fully accepted; 003 ch.4 third contention"
#define EV_ESCALATE "DOMAIN rules in force: still inadequate under an intervention -> escalate (notice -> direction -> commissioner -> removal)"

/* How long each model is expected to take to lift an authority out of
 * "inadequate" before it counts as stalled.  DOMAIN "what happened":
 * boards and peer partners left inadequate in about 2-3.7 years; 003 ch.1:
 * about two years to fair; a strategic partner first takes six months to
 * procure (000); a trust 14-24 months to go live, then 0.7-4.2 years. */
static const struct {
    const char *id;
    double months;
} expected[] = {
    {"self_improvement", 12}, {"peer_support", 24}, {"improvement_board", 24},
    {"executive_partnership", 24}, {"strategic_partnership", 30}, {"trust", 48},
};

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

/* The year of as_of, or 0 when it does not parse. */
static int year_of(const char *as_of)
{
    int y = 0;
    for (int i = 0; i < 4 && as_of && as_of[i] >= '0' && as_of[i] <= '9'; i++)
        y = y * 10 + (as_of[i] - '0');
    return y;
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

/* 1 when another model in place now has run past its expected time and
 * the authority is still inadequate. */
static int other_stalled(const imv_profile_view *p)
{
    if (!p->intervention_model || p->grade != IMV_G_INADEQUATE
        || p->intervention_months == IMV_UNKNOWN)
        return 0;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (strcmp(p->intervention_model, expected[i].id) == 0)
            return p->intervention_months >= expected[i].months;
    return 0;
}

static void failure(acc *a, const imv_profile_view *p, const double *w)
{
    double fe = p->ratings[IMV_R_FAILURE_EXTENT];
    /* The trigger is a rule of the regime in force, so a historical case
     * is judged by the rules of its time. */
    if (persistent(p) && year_of(p->as_of) >= w[P_RULES_YEAR])
        add(a, "ofsted.grade,ofsted.previous,as_of", w[P_PERSISTENT],
            "persistent failure: inadequate more than once in five years, the trigger for a commissioner",
            "", EV_RULES);
    add(a, "ratings.failure_extent", w[P_W_EXTENT] * (fe - 2),
        "the failure is widespread: a commissioner should judge what the council can still run",
        "the failure is contained to some parts of the service", "003 ch.1 factor (a); " EV_RULES);
    if (fe >= w[P_SYSTEMIC_EXTENT])
        add(a, "ratings.failure_extent", w[P_W_SYSTEMIC],
            "systemic failure: almost every part of the system is in crisis", "", EV_RULES);
    if (other_stalled(p))
        add(a, "current_intervention", w[P_ESCALATION],
            "the current intervention has run past its expected time and the authority is still "
            "inadequate: escalation to a commissioner is due", "", EV_ESCALATE);
}

static void doubts(acc *a, const imv_profile_view *p, const double *w,
                   double officer, double member)
{
    add(a, "ratings.political_commitment,ratings.corporate_leadership",
        w[P_W_COMMITMENT] * (2 - member),
        "serious doubts about political and corporate commitment need an independent judgement",
        "members and the corporate centre are committed; a commissioner adds less", EV_DENIAL);
    add(a, "ratings.acceptance", w[P_W_ACCEPTANCE] * (2 - p->ratings[IMV_R_ACCEPTANCE]),
        "leaders have not accepted the findings: a commissioner tests whether they will",
        "leaders accept the findings", EV_DENIAL);
    add(a, "ratings.senior_leadership,ratings.middle_leadership",
        w[P_W_CAPACITY] * (2 - officer),
        "doubts about leadership capacity: a commissioner judges whether the council can improve",
        "officers have capacity to drive improvement", "DOMAIN intervention models: commissioner where serious doubts about leadership capacity");
}

/* Conditions weigh less here: the commissioner's review does not depend on
 * the workforce, but whatever it recommends will (DOMAIN cross-cutting). */
static void conditions(acc *a, const imv_profile_view *p, const double *w)
{
    const double *rt = p->ratings;
    double c = (rt[IMV_R_WORKFORCE_STABILITY] - 2) + (rt[IMV_R_LEADERSHIP_STABILITY] - 2)
             + (rt[IMV_R_FINANCIAL_RESILIENCE] - 2);
    add(a, "ratings.workforce_stability,ratings.leadership_stability,ratings.financial_resilience",
        w[P_W_CONDITIONS] * c,
        "workforce, leadership and finances are steady enough to act on the review",
        "workforce instability, leadership churn and weak finances will slow whatever the commissioner recommends",
        "003 ch.2 Enablers 2, 3, 7");
}

static void preconditions(const imv_profile_view *p, const double *w,
                          imv_result *r, const imv_host *h)
{
    if (p->grade != IMV_G_INADEQUATE)
        h->add_unmet(r, "the authority is not judged inadequate: a commissioner follows an "
                        "inadequate judgement (DOMAIN rules in force)");
    if (!p->intervention_model || strcmp(p->intervention_model, "commissioner") != 0
        || p->intervention_months == IMV_UNKNOWN)
        return;
    if (p->grade == IMV_G_INADEQUATE && p->intervention_months >= w[P_STALL])
        h->add_unmet(r, "a commissioner has been in place past its expected time and the "
                        "authority is still inadequate: it has stalled; escalate to removal "
                        "into a trust (DOMAIN rules: commissioner -> removal)");
    else if (p->intervention_months >= w[P_REVIEW])
        h->add_unmet(r, "a commissioner is already in place and has had time to review: act on "
                        "the recommendation (support, partnership or trust) rather than appoint "
                        "another (DOMAIN rules; 002: Torbay's commissioner recommended a partnership)");
}

static int score(const imv_profile_view *p, const double *w, imv_result *r,
                 const imv_host *h)
{
    const double *rt = p->ratings;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    double member = (rt[IMV_R_POLITICAL_COMMITMENT] + rt[IMV_R_CORPORATE_LEADERSHIP]) / 2;
    acc a = {.s = w[P_BASE], .r = r, .h = h, .quiet = (p->flags & IMV_VIEW_SCORE_ONLY) != 0};

    failure(&a, p, w);
    doubts(&a, p, w, officer, member);
    conditions(&a, p, w);
    h->set_score(r, clamp(a.s, 0, 100));
    preconditions(p, w, r, h);
    if (a.quiet)
        return 0;
    imv_journey j = {.struct_size = sizeof j};
    h->journey(p, &j);
    double s = w[P_REVIEW];
    h->set_timeline(r, s, j.months_to_fair > 0 ? s + j.months_to_fair : 0,
                    j.months_to_good > 0 ? s + j.months_to_good : 0);
    h->add_risk(r, "a commissioner decides the model; the timeline is that of whatever the "
                   "review recommends, after the review");
    if (member >= 2.5 && officer >= 2)
        h->add_risk(r, "where a commissioner finds capacity and commitment the council keeps "
                       "control (DOMAIN what happened): the review may only confirm a board");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "commissioner",
    .name = "Commissioner",
    .version = "1.0.0",
    .summary = "DfE commissioner reviews, directs and chooses the long-term model; fits persistent "
               "or systemic failure, denial, and stalled interventions. Rises with failure_extent "
               "and workforce/leadership stability and finances; falls with senior/middle "
               "leadership, political commitment, corporate leadership and acceptance.",
    .evidence = "DOMAIN rules in force and what happened; 003 ch.3 formal support (d); 003 ch.4 "
                "third contention; 002 (Torbay); 003 case study 3 (Doncaster)",
    IMV_PARAMS(params),
    .score = score,
    .score_batch = NULL,
    /* How a higher rating moves the score (tests/check_models.c checks it). */
    .directions =
        "senior_leadership:-,middle_leadership:-,leadership_stability:+,political_commitment:-,"
        "corporate_leadership:-,acceptance:-,governance:0,partnerships:0,"
        "self_assessment:0,workforce_stability:+,financial_resilience:+,failure_extent:+,"
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
