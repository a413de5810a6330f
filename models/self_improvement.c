/*
 * self_improvement.c - no formal intervention: the council's own
 * improvement plan, with DfE/Ofsted monitoring and sector peer review.
 *
 * Evidence: 003 ch.1 (fair to good: "developing the capacity for ongoing,
 * robust self-assessment" once external oversight is lifted; good to great:
 * improvement as "core business"); 003 ch.3 (peer review is voluntary and
 * helps those "most open to challenge"); 003 case study 6 (North Yorkshire
 * 2009: clear mandate from the chief executive and DCS, good by 2014
 * without formal intervention); 003 case study 7 (Nottinghamshire: leaders
 * accepted the judgement and improved on their own); DOMAIN (a good or
 * outstanding authority needs no formal intervention; an inadequate
 * judgement always brings one).
 *
 * Declared monotonicity (tests/check_models.c checks it):
 *   never lowered by more senior_leadership, middle_leadership,
 *     political_commitment, corporate_leadership, acceptance, governance,
 *     partnerships, self_assessment, workforce_stability,
 *     leadership_stability, financial_resilience;
 *   never raised by more failure_extent;
 *   initial_response: no effect on the score (timeline only).
 *
 * Thread safety: no mutable state outside the call.
 */
#include "model_common.h"

enum {
    P_BASE,
    P_W_OFFICER,
    P_W_MEMBER,
    P_W_ACCEPTANCE,
    P_W_SELF_ASSESSMENT,
    P_W_GOVERNANCE,
    P_W_PARTNERSHIPS,
    P_W_EXTENT,
    P_W_WORKFORCE,
    P_W_STABILITY,
    P_W_FINANCE,
    P_W_AGENCY,
    P_W_CHURN,
    P_GOOD_BONUS,
    P_RI_BONUS,
    P_INADEQUATE_PENALTY,
    P_W_INVEST,
    P_W_CARE,
    P_COUNT
};

static const imv_param_def params[P_COUNT] = {
    [P_BASE] = {"base", 40, 0, 100, "score before any factor", .flags = IMV_PARAM_BASE},
    [P_W_INVEST] =
        {"w_investment", 3, 0, 10,
         "points for additional investment at (up to double) the low end of what turnarounds of this size needed; as many lost below it",
         IMV_PLAUSIBLE(1.5, 4.5)},
    [P_W_CARE] = {"w_children_in_care", 2, 0, 10,
                  "points lost as children in care per 10,000 children rise from England's ~65 to double it",
                  IMV_PLAUSIBLE(1, 3)},
    [P_W_OFFICER] = {"w_officer", 10, 0, 20,
                     "points per rating point of officer capacity (mean senior and middle leadership) above 2",
                     IMV_PLAUSIBLE(7.5, 12.5)},
    [P_W_MEMBER] =
        {"w_member", 3, 0, 15,
         "points per rating point of member capacity (mean political commitment and corporate leadership) above 2",
         IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_ACCEPTANCE] = {"w_acceptance", 3, 0, 10, "points per rating point of acceptance above 2",
                        IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_SELF_ASSESSMENT] = {"w_self_assessment", 4, 0, 10,
                             "points per rating point of self_assessment above 2",
                             IMV_PLAUSIBLE(3, 5)},
    [P_W_GOVERNANCE] = {"w_governance", 3, 0, 10, "points per rating point of governance above 2",
                        IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_PARTNERSHIPS] = {"w_partnerships", 2, 0, 10,
                          "points per rating point of partnerships above 2", IMV_PLAUSIBLE(1.5, 2.5)},
    [P_W_EXTENT] = {"w_extent", 8, 0, 20, "points lost per rating point of failure_extent above 2",
                    IMV_PLAUSIBLE(6, 10)},
    [P_W_WORKFORCE] = {"w_workforce", 3, 0, 10,
                       "points per rating point of workforce_stability above 2",
                       IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_STABILITY] = {"w_stability", 4, 0, 10,
                       "points per rating point of leadership_stability above 2", IMV_PLAUSIBLE(3, 5)},
    [P_W_FINANCE] = {"w_finance", 3, 0, 10, "points per rating point of financial_resilience above 2",
                     IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_AGENCY] = {"w_agency", 3, 0, 10,
                    "points lost per 10 percentage points of agency_rate above 15%",
                    IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_CHURN] = {"w_churn", 2, 0, 5,
                   "points lost per leadership change beyond two in three years (up to three)",
                   IMV_PLAUSIBLE(1.5, 2.5)},
    [P_GOOD_BONUS] = {"good_bonus", 30, 0, 50,
                      "points when the authority is good or outstanding (outstanding adds 5 more)",
                      IMV_PLAUSIBLE(22.5, 37.5)},
    [P_RI_BONUS] = {"ri_bonus", 12, 0, 30,
                    "points when the authority requires improvement (already fair)",
                    IMV_PLAUSIBLE(9, 15)},
    [P_INADEQUATE_PENALTY] = {"inadequate_penalty", 15, 0, 50,
                              "points lost when the authority is inadequate",
                              IMV_PLAUSIBLE(11.25, 18.75)},
};

#define EV_FAIR_GOOD \
    "003 ch.1 fair to good: robust self-assessment once external oversight is lifted"
#define EV_NOTHING "DOMAIN: a good or outstanding authority does not need formal intervention"

static void grade(imv_acc *a, const imv_profile_view *p, const double *w)
{
    switch (p->grade) {
    case IMV_G_OUTSTANDING:
    case IMV_G_GOOD:
        imv_acc_term(a, "ofsted.grade", w[P_GOOD_BONUS] + (p->grade == IMV_G_OUTSTANDING ? 5 : 0),
                     "judged good or better: the council's own plan, with peer review, is the right level",
                     "", EV_NOTHING);
        break;
    case IMV_G_REQUIRES_IMPROVEMENT:
        imv_acc_term(a, "ofsted.grade", w[P_RI_BONUS],
                     "already fair: the fair-to-good stage is led from within, with external challenge",
                     "", EV_FAIR_GOOD);
        break;
    case IMV_G_INADEQUATE:
        imv_acc_term(a, "ofsted.grade", -w[P_INADEQUATE_PENALTY], "",
                     "judged inadequate: the DfE intervenes after an inadequate judgement",
                     "DOMAIN: when Ofsted judges inadequate, the DfE intervenes");
        break;
    default: break;
    }
}

static void capacity(imv_acc *a, const imv_profile_view *p, const double *w, double officer,
                     double member)
{
    const double *rt = p->ratings;
    imv_acc_term(a, "ratings.senior_leadership,ratings.middle_leadership",
                 w[P_W_OFFICER] * (officer - 2),
                 "senior and middle leaders can lead improvement themselves",
                 "leadership capacity is too thin to improve without outside help",
                 "003 ch.2 Enabler 2: senior and middle leadership");
    imv_acc_term(a, "ratings.political_commitment,ratings.corporate_leadership",
                 w[P_W_MEMBER] * (member - 2),
                 "members and the corporate centre back and scrutinise improvement",
                 "members and the corporate centre are not yet engaged",
                 "003 ch.2 Enabler 2: political and corporate leaders");
    imv_acc_term(a, "ratings.acceptance", w[P_W_ACCEPTANCE] * (rt[IMV_R_ACCEPTANCE] - 2),
                 "leaders accept the findings and act on them",
                 "leaders dispute the findings; left alone they lose time defending the service",
                 "003 ch.2 Enabler 1: honest self-appraisal");
    imv_acc_term(a, "ratings.self_assessment",
                 w[P_W_SELF_ASSESSMENT] * (rt[IMV_R_SELF_ASSESSMENT] - 2),
                 "the council knows its own service",
                 "the council does not know its own service well", EV_FAIR_GOOD);
    imv_acc_term(a, "ratings.governance", w[P_W_GOVERNANCE] * (rt[IMV_R_GOVERNANCE] - 2),
                 "scrutiny and challenge are in place", "internal scrutiny is weak", EV_FAIR_GOOD);
    imv_acc_term(a, "ratings.partnerships", w[P_W_PARTNERSHIPS] * (rt[IMV_R_PARTNERSHIPS] - 2),
                 "partners work with the council", "partners are not yet engaged",
                 "003 ch.2 Enabler 4: engaging partners");
    imv_acc_term(a, "ratings.failure_extent", -w[P_W_EXTENT] * (rt[IMV_R_FAILURE_EXTENT] - 2),
                 "little or contained failure",
                 "the failure is too wide to leave to the council alone",
                 "003 ch.1 factor (a); 003 ch.2: a good service can become poor within three months");
}

static void conditions(imv_acc *a, const imv_profile_view *p, const double *w)
{
    const double *rt = p->ratings;
    imv_acc_term(a, "ratings.workforce_stability",
                 w[P_W_WORKFORCE] * (rt[IMV_R_WORKFORCE_STABILITY] - 2), "a stable workforce",
                 "workforce turbulence", "003 ch.2 Enabler 3");
    imv_acc_term(a, "ratings.leadership_stability",
                 w[P_W_STABILITY] * (rt[IMV_R_LEADERSHIP_STABILITY] - 2), "stable leadership",
                 "leadership churn", "003 ch.2 Enabler 2: stability in key leadership positions");
    imv_acc_term(a, "ratings.financial_resilience",
                 w[P_W_FINANCE] * (rt[IMV_R_FINANCIAL_RESILIENCE] - 2),
                 "the finance plan can carry improvement", "finances cannot carry improvement",
                 "003 ch.2 Enabler 7");
    mc_workforce_rates(a, p, w[P_W_AGENCY],
                       "a council left to improve alone loses practice as staff change",
                       "003 ch.2 Enabler 3");
    if (IMV_HAS_FACT(p, IMV_F_LEADERSHIP_CHANGES_3Y)) {
        double n = imv_clamp(p->facts[IMV_F_LEADERSHIP_CHANGES_3Y] - 2, 0, 3);
        imv_acc_term(a, "facts.leadership_changes_3y", -w[P_W_CHURN] * n, "",
                     "repeated changes of director",
                     "003 ch.3: series of short-term interim leaders");
    }
}

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    const double *rt = p->ratings;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    double member = (rt[IMV_R_POLITICAL_COMMITMENT] + rt[IMV_R_CORPORATE_LEADERSHIP]) / 2;
    imv_acc a;
    imv_acc_init(&a, w[P_BASE], p, r, h);
    imv_acc_base(&a, "the base score of the council's own improvement, before any factor",
                 "declared parameter base (docs/models.md)");

    grade(&a, p, w);
    capacity(&a, p, w, officer, member);
    conditions(&a, p, w);
    mc_investment(&a, p, w[P_W_INVEST]);
    mc_children_in_care(&a, p, w[P_W_CARE]);
    imv_acc_done(&a);
    if (p->grade == IMV_G_INADEQUATE)
        h->add_unmet(r, "the authority is judged inadequate: the DfE intervenes (DOMAIN rules in "
                        "force); self-improvement is for fair or better services");
    if (a.quiet)
        return 0;
    imv_journey j = IMV_JOURNEY_INIT;
    h->journey(p, &j);
    h->set_timeline(r, 0, j.months_to_fair, j.months_to_good);
    if (!a.texts) /* a brief call (a CSV) shows no risk */
        return 0;
    h->add_risk(r, "complacency and loss of focus once external oversight is absent "
                   "(003 ch.1 fair to good; good to great: rapid decline if key staff leave)");
    if (rt[IMV_R_SELF_ASSESSMENT] < 2)
        h->add_risk(r, "weak self-assessment may hide decline; a good service can become poor "
                       "within three months (003 ch.2 Enabler 5)");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "self_improvement",
    .name = "Self-improvement",
    .version = "2.0.0",
    .summary = "No formal intervention: the council's own plan with monitoring and peer review; "
               "fits good, outstanding and capable RI services. Rises with every capacity, "
               "commitment, governance, self-assessment, partnership, stability and finance "
               "rating; falls with failure_extent.",
    .evidence = "003 ch.1 fair to good and good to great; 003 ch.3 peer review; 003 case studies 6 "
                "(North Yorkshire) and 7 (Nottinghamshire); DOMAIN",
    IMV_PARAMS(params),
    .score = score,
    .score_batch = NULL,
    /* How a higher rating moves the score (tests/check_models.c checks it). */
    .directions = "senior_leadership:+,middle_leadership:+,leadership_stability:+,political_commitment:+,"
                  "corporate_leadership:+,acceptance:+,governance:+,partnerships:+,"
                  "self_assessment:+,workforce_stability:+,financial_resilience:+,failure_extent:-,"
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
