/*
 * model_common.h - the terms the bundled C models share: the rules of the
 * profile's date (persistent and systemic failure), a model already in
 * place scored as continuing, and the facts the research gives a meaning
 * (workforce rates, investment, children in care, unallocated cases).
 * Header-only, on top of imeval_aux.h; each model passes its own weights
 * and wording.  The facts are the engine's, read from the view
 * (imv_rule_facts_of_view): no model decides them again.
 */
#ifndef IMEVAL_MODEL_COMMON_H
#define IMEVAL_MODEL_COMMON_H

#include <stdio.h>
#include <string.h>

#include "imeval_aux.h"

#define MC_TEXT 1000

/* ---- the rules of the date --------------------------------------------- */

/* 1 when a commissioner is in place: the review the rules call for is
 * under way or done, so persistent or systemic failure no longer argues
 * against the council-led models (their reason would say "the rules point
 * to a commissioner's review", untrue once one is in place). */
static inline int mc_reviewed(const imv_profile_view *p)
{
    return imv_in_place(p, "commissioner");
}

/* Persistent failure as the rules of the profile's date weigh it: points
 * (signed by the caller: + for the models it points to, - for those it
 * points away from) times the regime's weight; half when an earlier
 * inadequate judgement is undated and so may or may not fall within five
 * years.  The text names the years and the regime. */
static inline void mc_persistent(imv_acc *a, const imv_profile_view *p, const imv_rule_facts *ru,
                                 double pts, const char *what, const char *evidence)
{
    (void)p;
    if (ru->persistent == 0 || pts == 0)
        return;
    const char *regime = ru->regime;
    double w = ru->commissioner_weight;
    char text[MC_TEXT];
    text[0] = '\0'; /* score-only and brief calls read no text: none is made */
    if (a->texts && ru->persistent > 0)
        snprintf(text, sizeof text,
                 "persistent failure: inadequate in %d and again in %d, within "
                 "five years; %s (%s)",
                 ru->persistent_earlier_year, ru->persistent_year, what, regime);
    else if (a->texts)
        snprintf(text, sizeof text,
                 "an earlier inadequate judgement is undated: persistent failure "
                 "if it fell within five years, so counted at half weight; %s (%s)",
                 what, regime);
    imv_acc_term(a, "ofsted.grade,ofsted.previous,as_of", pts * w * (ru->persistent > 0 ? 1 : 0.5),
                 text, text, evidence);
}

/* Systemic failure: every key judgement given inadequate (the DfE's
 * "inadequate across all of the key judgements").  Without key judgements
 * the model may fall back on failure_extent, as a gradient from 3 to 4
 * ("almost every part of the system in crisis"), never a threshold. */
static inline void mc_systemic(imv_acc *a, const imv_profile_view *p, const imv_rule_facts *ru,
                               double pts, int fallback, const char *what, const char *evidence)
{
    if (pts == 0)
        return;
    const char *regime = ru->regime;
    double w = ru->commissioner_weight;
    char text[MC_TEXT];
    text[0] = '\0';
    if (ru->systemic > 0) {
        if (a->texts)
            snprintf(text, sizeof text,
                     "systemic failure: inadequate on all %d key judgements given; "
                     "%s (%s)",
                     ru->n_key, what, regime);
        imv_acc_term(a, "ofsted.judgements,as_of", pts * w, text, text, evidence);
    } else if (ru->systemic < 0 && fallback) {
        double fe = p->ratings[IMV_R_FAILURE_EXTENT];
        double g = imv_clamp(fe - 3, 0, 1);
        if (a->texts)
            snprintf(text, sizeof text,
                     "no key judgements given: failure_extent %.1f is read as "
                     "%s systemic failure; %s (%s)",
                     fe, g >= 1 ? "" : "close to", what, regime);
        imv_acc_term(a, "ratings.failure_extent,as_of", pts * w * g, text, text, evidence);
    }
}

/* ---- a model already in place --------------------------------------------- */

/* 1 when this model is the intervention in place. */
static inline int mc_in_place(const imv_profile_view *p, const char *id)
{
    return imv_in_place(p, id);
}

#define EV_CONTINUING \
    "003 ch.1 pitfalls: false starts and ill-thought-out restructures slow the journey; DOMAIN rules in force: escalate when still inadequate under an intervention"

/* The model in place, scored by whether it is working (its trajectory),
 * not by the reasons it was chosen.  Stalled or deteriorating makes it
 * non-viable: the rules escalate.  Returns 1 when the model is in place. */
static inline int mc_continuing(imv_acc *a, const imv_profile_view *p, const imv_rule_facts *ru,
                                const char *id, const char *name, double on_track_pts,
                                const char *escalation, imv_result *r, const imv_host *h)
{
    if (!mc_in_place(p, id))
        return 0;
    char text[MC_TEXT];
    switch (ru->status) {
    case IMV_IV_STATUS_ON_TRACK:
    case IMV_IV_STATUS_UNKNOWN:
        text[0] = '\0';
        if (a->texts)
            snprintf(text, sizeof text,
                     "%s is in place and on track (%s): scored as continuing, by "
                     "whether it is working, not as a new choice",
                     name, ru->why);
        imv_acc_term(a, "current_intervention,ofsted", on_track_pts, text, text, EV_CONTINUING);
        break;
    case IMV_IV_STATUS_STALLED:
    case IMV_IV_STATUS_DETERIORATING:
        snprintf(text, sizeof text,
                 "%s is in place and %s (%s): still inadequate under it, so "
                 "the rules escalate: %s (DOMAIN rules in force)",
                 name, ru->status == IMV_IV_STATUS_STALLED ? "has stalled" : "deteriorating",
                 ru->why, escalation);
        h->add_unmet(r, text);
        break;
    default: break;
    }
    return 1;
}

/* Another model is in place and working: changing course restarts the
 * set-up and the journey. */
static inline void mc_switching(imv_acc *a, const imv_profile_view *p, const imv_rule_facts *ru,
                                const char *id, double pts)
{
    /* A commissioner is a review, not a delivery model: its work is to hand
     * over to one (DOMAIN rules in force), so moving on is no restart. */
    if (!p->intervention_model || mc_in_place(p, id) || ru->status != IMV_IV_STATUS_ON_TRACK ||
        imv_in_place(p, "commissioner"))
        return;
    char text[MC_TEXT];
    text[0] = '\0';
    if (a->texts)
        snprintf(text, sizeof text,
                 "%s is in place and on track (%s): replacing it would restart the "
                 "set-up and the journey",
                 p->intervention_model, ru->why);
    imv_acc_term(a, "current_intervention", -pts, text, text, EV_CONTINUING);
}

/* The timeline of a model (imv_timeline_of says how), with fair_saving
 * months taken off the journey (a partner that has done it before). */
static inline void mc_timeline(const imv_profile_view *p, const imv_rule_facts *ru, int in_place,
                               double setup, double fair_saving, imv_result *r, const imv_host *h)
{
    imv_journey j = IMV_JOURNEY_INIT;
    h->journey(p, &j);
    double fair = j.months_to_fair > fair_saving ? j.months_to_fair - fair_saving : j.months_to_fair;
    double good = j.months_to_good > fair_saving ? j.months_to_good - fair_saving : j.months_to_good;
    imv_timeline t = imv_timeline_of(fair, good, in_place, ru->status, ru->months, setup);
    h->set_timeline(r, t.setup_months, t.months_to_fair, t.months_to_good);
}

/* ---- facts the research gives a meaning ---------------------------------- */

/* Workforce collapse - agency staff, vacancies, turnover - follows an
 * inadequate judgement and slows every model (DOMAIN cross-cutting; agency
 * rates of 18-28% in the cases).  The worst of the three rates above 15%
 * counts once, so one collapse is not counted three times. */
static inline void mc_workforce_rates(imv_acc *a, const imv_profile_view *p, double w,
                                      const char *consequence, const char *evidence)
{
    double top;
    int f = imv_worst_rate(p, 0.15, &top);
    if (f < 0)
        return;
    int worst = f == IMV_F_AGENCY_RATE ? 0 : f == IMV_F_VACANCY_RATE ? 1 : 2;
    static const char *const names[] = {"agency", "vacancy", "turnover"};
    static const char *const fields[] = {"facts.agency_rate", "facts.vacancy_rate",
                                         "facts.turnover_rate"};
    char text[MC_TEXT];
    text[0] = '\0';
    if (a->texts)
        snprintf(text, sizeof text, "the %s rate is %.0f%%: %s", names[worst], 100 * top,
                 consequence);
    imv_acc_term(a, fields[worst], -w * (top - 0.15) / 0.10, text, text, evidence);
}

/* The lower end of what turnarounds needed, for a council's size: DOMAIN
 * quotes about GBP 1.5m (small authority) to GBP 35m (large), and local
 * investment alongside a retained model of GBP 4.8m-16m. */
static inline double mc_investment_floor(double children)
{
    double size = children == IMV_UNKNOWN ? 0.5 : imv_clamp((children - 25000) / 225000, 0, 1);
    return 1.5 + (4.8 - 1.5) * size;
}

/* Investment against that floor: enough to overstaff the front door and
 * bring caseloads down (003 ch.2 Enabler 7), for a model the council
 * funds itself. */
static inline void mc_investment(imv_acc *a, const imv_profile_view *p, double w)
{
    if (!IMV_HAS_FACT(p, IMV_F_ADDITIONAL_INVESTMENT_GBP_M) || w == 0)
        return;
    double inv = p->facts[IMV_F_ADDITIONAL_INVESTMENT_GBP_M];
    double floor_m = mc_investment_floor(p->child_population);
    double pts = w * imv_clamp((inv - floor_m) / floor_m, -1, 1);
    char text[MC_TEXT];
    text[0] = '\0';
    if (a->texts)
        snprintf(text, sizeof text,
                 "GBP %.1fm of additional investment against about GBP %.1fm at the "
                 "low end for a council of this size: %s",
                 inv, floor_m,
                 pts > 0 ? "enough to overstaff the front door and bring caseloads down"
                         : "below what turnarounds of this size needed");
    imv_acc_term(
        a, "facts.additional_investment_gbp_m,size.child_population", pts, text, text,
        "003 ch.2 Enabler 7: GBP 1.5m (small) to 35m (large); DOMAIN: GBP 4.8m-16m alongside a retained model");
}

/* Children in care per 10,000 children, against about 65 for England
 * (DfE children looked after statistics, 2015-2023): placement costs press
 * on the finances of a model the council funds. */
static inline void mc_children_in_care(imv_acc *a, const imv_profile_view *p, double w)
{
    if (p->children_in_care == IMV_UNKNOWN || p->child_population == IMV_UNKNOWN ||
        p->child_population <= 0 || w == 0)
        return;
    double rate = 1e4 * p->children_in_care / p->child_population;
    double pts = -w * imv_clamp((rate - 65) / 65, 0, 1);
    char text[MC_TEXT];
    text[0] = '\0';
    if (a->texts)
        snprintf(text, sizeof text,
                 "%.0f children in care, %.0f per 10,000 children against about 65 "
                 "for England: placement costs will press on the council's finances",
                 p->children_in_care, rate);
    imv_acc_term(
        a, "size.children_in_care,size.child_population", pts, text, text,
        "002: Torbay's finances worsened with agency and placement costs; 003 case study 6: fewer children in care freed GBP 3m");
}

/* Unallocated cases per 1,000 children, 0..1 at 2 per 1,000: how urgently
 * the front door needs grip (003 ch.2 Enabler 5: every service that
 * improved from inadequate secured the front end first; a good service
 * "could become poor within a matter of three months" without that grip). */
static inline double mc_front_door_urgency(const imv_profile_view *p)
{
    if (!IMV_HAS_FACT(p, IMV_F_UNALLOCATED_CASES) || p->child_population == IMV_UNKNOWN ||
        p->child_population <= 0)
        return 0;
    return imv_clamp(p->facts[IMV_F_UNALLOCATED_CASES] / (p->child_population / 1000) / 2, 0, 1);
}

#define EV_FRONT_DOOR \
    "003 ch.2 Enabler 5: a secure front end first; a good service can become poor within three months without grip on referral"

static inline void mc_front_door(imv_acc *a, const imv_profile_view *p, double pts,
                                 const char *consequence)
{
    double u = mc_front_door_urgency(p);
    if (u <= 0 || pts == 0)
        return;
    char text[MC_TEXT];
    text[0] = '\0';
    if (a->texts)
        snprintf(text, sizeof text, "%.0f unallocated cases: the front door needs grip now; %s",
                 p->facts[IMV_F_UNALLOCATED_CASES], consequence);
    imv_acc_term(a, "facts.unallocated_cases,size.child_population", pts * u, text, text,
                 EV_FRONT_DOOR);
}

#endif /* IMEVAL_MODEL_COMMON_H */
