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
#include <string.h>

#include "model_common.h"

enum {
    P_BASE,
    P_PERSISTENT,
    P_W_EXTENT,
    P_W_SYSTEMIC,
    P_W_COMMITMENT,
    P_W_ACCEPTANCE,
    P_W_CAPACITY,
    P_ESCALATION,
    P_W_CONDITIONS,
    P_REVIEW,
    P_STALL,
    P_SWITCH,
    P_COUNT
};

static const imv_param_def params[P_COUNT] = {
    [P_BASE] = {"base", 35, 0, 100, "score before any factor", .flags = IMV_PARAM_BASE},
    [P_PERSISTENT] =
        {"persistent_bonus", 18, 0, 40,
         "points for persistent failure (inadequate twice within five years), weighted by the rules of the date",
         IMV_PLAUSIBLE(13.5, 22.5)},
    [P_W_EXTENT] = {"w_extent", 5, 0, 15, "points per rating point of failure_extent above 2",
                    IMV_PLAUSIBLE(3.75, 6.25)},
    [P_W_SYSTEMIC] =
        {"systemic_bonus", 12, 0, 30,
         "points for systemic failure (inadequate on every key judgement; without judgements, failure_extent from 3 to 4 as a gradient), weighted by the rules of the date",
         IMV_PLAUSIBLE(8, 16)},
    [P_W_COMMITMENT] =
        {"w_commitment", 7, 0, 20,
         "points per rating point by which member capacity (mean political commitment and corporate leadership) falls below 2",
         IMV_PLAUSIBLE(5.25, 8.75)},
    [P_W_ACCEPTANCE] = {"w_acceptance", 4, 0, 15,
                        "points per rating point by which acceptance falls below 2",
                        IMV_PLAUSIBLE(3, 5)},
    [P_W_CAPACITY] =
        {"w_capacity", 3, 0, 15,
         "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2",
         IMV_PLAUSIBLE(2.25, 3.75)},
    [P_ESCALATION] = {"escalation_bonus", 15, 0, 40,
                      "points when the intervention in place has stalled or is deteriorating (its trajectory)",
                      IMV_PLAUSIBLE(11.25, 18.75)},
    [P_W_CONDITIONS] =
        {"w_conditions", 1, 0, 5,
         "points per rating point of workforce stability, leadership stability and finances above 2",
         IMV_PLAUSIBLE(0.75, 1.25)},
    [P_REVIEW] = {"review_months", 3, 1, 12,
                  "months for the commissioner's review (DOMAIN: about 2-4)",
                  IMV_PLAUSIBLE(2.25, 3.75)},
    [P_STALL] = {"stall_months", 18, 6, 48,
                 "months under a commissioner, still inadequate, after which it has stalled unless findings say it is improving",
                 IMV_PLAUSIBLE(13.5, 22.5)},
    [P_SWITCH] = {"switching_penalty", 10, 0, 30,
                  "points lost when another model in place is on track (nothing to escalate)",
                  IMV_PLAUSIBLE(6, 14)},
};

#define ID "commissioner"
#define EV_RULES \
    "DOMAIN rules in force: commissioner for persistent (inadequate more than once in five years) or systemic failure"
#define EV_PERSISTENT \
    "DOMAIN rules in force: a commissioner for failure inadequate more than once in five years"
#define EV_SYSTEMIC \
    "DOMAIN rules in force: a commissioner for failure inadequate on every key judgement"
#define EV_DENIAL \
    "DOMAIN what happened: commissioners where leaders were in denial or had not fully accepted; 003 ch.4 third contention"
#define EV_ESCALATE \
    "DOMAIN rules in force: still inadequate under an intervention -> escalate (notice -> direction -> commissioner -> removal)"

static void failure(imv_acc *a, const imv_profile_view *p, const double *w, const imv_rule_facts *ru)
{
    double fe = p->ratings[IMV_R_FAILURE_EXTENT];
    mc_persistent(a, p, ru, w[P_PERSISTENT], "the trigger for a commissioner", EV_PERSISTENT);
    mc_systemic(a, p, ru, w[P_W_SYSTEMIC], 1, "the trigger for a commissioner", EV_SYSTEMIC);
    imv_acc_term(a, "ratings.failure_extent", w[P_W_EXTENT] * (fe - 2),
                 "the failure is widespread: a commissioner should judge what the council can still run",
                 "the failure is contained to some parts of the service",
                 "003 ch.1 factor (a); " EV_SYSTEMIC);
    if (p->intervention_model && !imv_in_place(p, ID) &&
        (ru->status == IMV_IV_STATUS_STALLED || ru->status == IMV_IV_STATUS_DETERIORATING)) {
        char text[MC_TEXT];
        text[0] = '\0'; /* score-only and brief calls read no text: none is made */
        if (a->texts)
            snprintf(text, sizeof text,
                     "the %s in place has %s (%s) and the authority is still "
                     "inadequate: escalation to a commissioner is due",
                     p->intervention_model,
                     ru->status == IMV_IV_STATUS_STALLED ? "stalled" : "deteriorated", ru->why);
        imv_acc_term(a, "current_intervention,ofsted", w[P_ESCALATION], text, "", EV_ESCALATE);
    }
    mc_switching(a, p, ru, ID, w[P_SWITCH]);
}

static void doubts(imv_acc *a, const imv_profile_view *p, const double *w, double officer,
                   double member)
{
    imv_acc_term(a, "ratings.political_commitment,ratings.corporate_leadership",
                 w[P_W_COMMITMENT] * (2 - member),
                 "doubts about political and corporate commitment need an independent judgement",
                 "members and the corporate centre are committed; a commissioner adds less",
                 EV_DENIAL);
    imv_acc_term(a, "ratings.acceptance", w[P_W_ACCEPTANCE] * (2 - p->ratings[IMV_R_ACCEPTANCE]),
                 "leaders have not fully accepted the findings: a commissioner tests whether they will",
                 "leaders accept the findings", EV_DENIAL);
    imv_acc_term(
        a, "ratings.senior_leadership,ratings.middle_leadership", w[P_W_CAPACITY] * (2 - officer),
        "doubts about leadership capacity: a commissioner judges whether the council can improve",
        "officers have capacity to drive improvement",
        "DOMAIN intervention models: commissioner where serious doubts about leadership capacity");
}

/* Conditions weigh less here: the commissioner's review does not depend on
 * the workforce, but whatever it recommends will (DOMAIN cross-cutting). */
static void conditions(imv_acc *a, const imv_profile_view *p, const double *w)
{
    const double *rt = p->ratings;
    double c = (rt[IMV_R_WORKFORCE_STABILITY] - 2) + (rt[IMV_R_LEADERSHIP_STABILITY] - 2) +
               (rt[IMV_R_FINANCIAL_RESILIENCE] - 2);
    imv_acc_term(
        a, "ratings.workforce_stability,ratings.leadership_stability,ratings.financial_resilience",
        w[P_W_CONDITIONS] * c,
        "workforce, leadership and finances are steady enough to act on the review",
        "workforce instability, leadership churn and weak finances will slow whatever the commissioner recommends",
        "003 ch.2 Enablers 2, 3, 7");
}

static void preconditions(const imv_profile_view *p, const double *w, const imv_rule_facts *ru,
                          imv_result *r, const imv_host *h)
{
    if (p->grade != IMV_G_INADEQUATE)
        h->add_unmet(r, "the authority is not judged inadequate: a commissioner follows an "
                        "inadequate judgement (DOMAIN rules in force)");
    if (!imv_in_place(p, ID) || ru->months == IMV_UNKNOWN)
        return;
    if (p->grade == IMV_G_INADEQUATE && ru->months >= w[P_STALL] &&
        ru->status != IMV_IV_STATUS_ON_TRACK)
        h->add_unmet(r, "a commissioner has been in place past its expected time and the "
                        "authority is still inadequate: it has stalled; escalate to removal "
                        "into a trust (DOMAIN rules: commissioner -> removal)");
    else if (ru->months >= w[P_REVIEW])
        h->add_unmet(r,
                     "a commissioner is already in place and has had time to review: act on "
                     "the recommendation (support, partnership or trust) rather than appoint "
                     "another (DOMAIN rules; 002: Torbay's commissioner recommended a partnership)");
}

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    const double *rt = p->ratings;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    double member = (rt[IMV_R_POLITICAL_COMMITMENT] + rt[IMV_R_CORPORATE_LEADERSHIP]) / 2;
    imv_rule_facts ru;
    imv_rule_facts_of_view(p, &ru);
    imv_acc a;
    imv_acc_init(&a, w[P_BASE], p, r, h);
    imv_acc_base(&a, "the base score of a commissioner's review, before any factor",
                 "declared parameter base (docs/models.md)");
    failure(&a, p, w, &ru);
    doubts(&a, p, w, officer, member);
    conditions(&a, p, w);
    imv_acc_done(&a);
    preconditions(p, w, &ru, r, h);
    if (a.quiet)
        return 0;
    /* A review already under way has only its remainder left. */
    double review = w[P_REVIEW];
    if (imv_in_place(p, ID) && ru.months != IMV_UNKNOWN)
        review = ru.months < review ? review - ru.months : 0;
    imv_journey j = IMV_JOURNEY_INIT;
    h->journey(p, &j);
    h->set_timeline(r, review, j.months_to_fair > 0 ? review + j.months_to_fair : 0,
                    j.months_to_good > 0 ? review + j.months_to_good : 0);
    if (a.texts)
        h->add_risk(r,
                    "a commissioner decides the model; the timeline is that of whatever the "
                    "review recommends, after the review (its likely outcome: commissioner_outlook)");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "commissioner",
    .name = "Commissioner",
    .version = "2.0.0",
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
    .directions = "senior_leadership:-,middle_leadership:-,leadership_stability:+,political_commitment:-,"
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
