/*
 * executive_partnership.c - a strong (usually neighbouring) council shares
 * its director and leadership team; core systems are imported.
 *
 * Evidence: 003 ch.4 "Formal improvement support and intervention" (second
 * contention: "an executive partnership model, with joint leadership, may
 * be the best solution where there is a political commitment to driving
 * change but a lack of leadership capacity in the organisation at both
 * senior and middle leadership levels"); 003 ch.3 formal support (c) and
 * the warning about "overburdening high-performing local areas"; 003 ch.2
 * toolkit ("bringing in a core system basically unchanged"); 003 case
 * studies 1 (Kingston-Richmond) and 4 (Hampshire-Isle of Wight); 002
 * (Plymouth-Torbay ended: the partner was itself "requires improvement",
 * "another relatively small local authority ... likely to be stretched").
 *
 * The model picks the best candidate in the profile's partners; with none
 * viable it is non-viable.
 *
 * Declared monotonicity (tests/check_models.c checks it):
 *   never lowered by more political_commitment, corporate_leadership,
 *     acceptance, workforce_stability, leadership_stability,
 *     financial_resilience;
 *   never raised by more senior_leadership, middle_leadership (the less
 *     leadership the council has, the more a shared team adds) or
 *     failure_extent;
 *   governance, partnerships, self_assessment, initial_response: no effect.
 *
 * Thread safety: no mutable state outside the call.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model_common.h"

enum {
    P_BASE,
    P_W_COMMITMENT,
    P_W_CORPORATE,
    P_W_GAP,
    P_W_EXTENT,
    P_W_FIT,
    P_W_WORKFORCE,
    P_W_STABILITY,
    P_W_FINANCE,
    P_W_AGENCY,
    P_W_CHURN,
    P_W_INVEST,
    P_W_CARE,
    P_W_FRONT_DOOR,
    P_PERSISTENT,
    P_SYSTEMIC,
    P_RI_PENALTY,
    P_MIN_FIT,
    P_MIN_SPARE,
    P_SMALL_PARTNER,
    P_IMPORT_MONTHS,
    P_STALL,
    P_SETUP,
    P_CONTINUING,
    P_SWITCH,
    P_COUNT
};

static const imv_param_def params[P_COUNT] = {
    [P_BASE] = {"base", 45, 0, 100, "score before any factor", .flags = IMV_PARAM_BASE},
    [P_W_COMMITMENT] = {"w_commitment", 10, 0, 25,
                        "points per rating point of political_commitment above 2",
                        IMV_PLAUSIBLE(7.5, 12.5)},
    [P_W_CORPORATE] = {"w_corporate", 4, 0, 15,
                       "points per rating point of corporate_leadership above 2", IMV_PLAUSIBLE(3, 5)},
    [P_W_GAP] = {"w_gap", 6, 0, 15,
                 "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2",
                 IMV_PLAUSIBLE(4.5, 7.5)},
    [P_W_EXTENT] = {"w_extent", 3, 0, 10, "points lost per rating point of failure_extent above 2",
                    IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_FIT] = {"w_fit", 0.5, 0, 1, "points per point of partner fit above 60",
                 IMV_PLAUSIBLE(0.375, 0.625)},
    [P_W_WORKFORCE] = {"w_workforce", 3, 0, 10,
                       "points per rating point of workforce_stability above 2",
                       IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_STABILITY] =
        {"w_stability", 1, 0, 10,
         "points per rating point of leadership_stability above 2 (the partner supplies stable leaders)",
         IMV_PLAUSIBLE(0.75, 1.25)},
    [P_W_FINANCE] = {"w_finance", 3, 0, 10, "points per rating point of financial_resilience above 2",
                     IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_AGENCY] =
        {"w_agency", 3, 0, 10,
         "points lost per 10 percentage points of the worst of agency, vacancy and turnover rates above 15%",
         IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_CHURN] = {"w_churn", 1, 0, 5,
                   "points lost per leadership change beyond two in three years (up to three)",
                   IMV_PLAUSIBLE(0.75, 1.25)},
    [P_W_INVEST] =
        {"w_investment", 3, 0, 10,
         "points for additional investment at (up to double) the low end of what turnarounds of this size needed; as many lost below it",
         IMV_PLAUSIBLE(1.5, 4.5)},
    [P_W_CARE] = {"w_children_in_care", 2, 0, 10,
                  "points lost as children in care per 10,000 children rise from England's ~65 to double it",
                  IMV_PLAUSIBLE(1, 3)},
    [P_W_FRONT_DOOR] =
        {"w_front_door", 4, 0, 15,
         "points at 2 or more unallocated cases per 1,000 children: a partner can import a working front door",
         IMV_PLAUSIBLE(2, 6)},
    [P_PERSISTENT] =
        {"persistent_penalty", 5, 0, 30,
         "points lost for persistent failure (inadequate twice within five years), weighted by the rules of the date",
         IMV_PLAUSIBLE(3.75, 6.25)},
    [P_SYSTEMIC] =
        {"systemic_penalty", 4, 0, 30,
         "points lost for systemic failure (inadequate on every key judgement), weighted by the rules of the date",
         IMV_PLAUSIBLE(2, 6)},
    [P_RI_PENALTY] = {"ri_penalty", 12, 0, 30,
                      "points lost when the authority is not judged inadequate", IMV_PLAUSIBLE(9, 15)},
    [P_MIN_FIT] = {"min_fit", 45, 0, 100,
                   "partner fit below which a candidate is not a viable partner",
                   IMV_PLAUSIBLE(33.75, 56.25)},
    [P_MIN_SPARE] = {"min_spare_capacity", 1, 0, 4, "spare leadership capacity a partner must have",
                     IMV_PLAUSIBLE(0.75, 1.25)},
    [P_SMALL_PARTNER] =
        {"small_partner_children", 60000, 0, 500000,
         "child population below which a partner is small and easily stretched (unless it has spare capacity)",
         IMV_PLAUSIBLE(45000, 75000)},
    [P_IMPORT_MONTHS] =
        {"import_months", 4, 0, 12,
         "months saved on the way to fair by importing a strong partner's core systems (fit >= 70)",
         IMV_PLAUSIBLE(3, 5)},
    [P_STALL] = {"stall_months", 24, 6, 72,
                 "months under a partnership, still inadequate, after which it has stalled unless findings say it is improving",
                 IMV_PLAUSIBLE(18, 30)},
    [P_SETUP] = {"setup_months", 3, 0, 12,
                 "months to agree the partnership and install the shared leadership",
                 IMV_PLAUSIBLE(2.25, 3.75)},
    [P_CONTINUING] =
        {"continuing_bonus", 20, 0, 40,
         "points when a partnership in place is on track (scored by whether it works, not why it was chosen)",
         IMV_PLAUSIBLE(14, 26)},
    [P_SWITCH] = {"switching_penalty", 10, 0, 30,
                  "points lost when another model in place is on track (changing course restarts it)",
                  IMV_PLAUSIBLE(6, 14)},
};

#define ID "executive_partnership"
#define EV_CONTENTION \
    "003 ch.4 Formal improvement support: executive partnership where political commitment but leadership capacity lacking"
#define EV_PARTNER \
    "003 ch.3 (c) and overburdening system leaders; 002: Plymouth-Torbay ended, partner itself requires improvement"
#define EV_WORKFORCE "003 ch.2 Enabler 3; 002: Torbay's recruitment kept failing"
#define EV_FINANCE "003 ch.2 Enabler 7; 002: Torbay's finances worsened"
#define EV_RULES "DOMAIN rules in force: commissioner for persistent or systemic failure"

/* The fit of one candidate partner, in one place with its parts named so
 * that each can be shown (and itemised by `imeval partners`, issue 15).
 * Grade and spare capacity weigh most: Hampshire ("consistently good or
 * outstanding", 003 case study 4) against Plymouth ("requires
 * improvement", "insufficient leadership capacity", 002).  Size is a
 * stretch risk that spare capacity offsets: a small partner with capacity
 * to spare is not refused for being small (the report's warning is about
 * over-burdening, 003 ch.3).  The receiving council's own conditions count
 * too: the effect "depends on both the quality of the external support and
 * the conditions within the receiving service" (DOMAIN cross-cutting), and
 * imported systems need leaders who accept them (003 ch.2 toolkit). */
typedef struct fit_parts {
    int excluded;    /* cannot partner at all */
    const char *why; /* when excluded */
    double base, grade, spare, commitments, size, neighbouring, receiving;
    double limit; /* what keeping the total in 0..100 took off */
    double total;
} fit_parts;

static void partner_fit(const imv_partner_view *c, const imv_profile_view *p, const double *w,
                        fit_parts *f)
{
    static const double grade_pts[IMV_G_COUNT] = {25, 15, -25, -100, -10};
    memset(f, 0, sizeof *f);
    f->base = 40;
    if (c->grade == IMV_G_INADEQUATE) {
        f->excluded = 1;
        f->why = "it is itself inadequate";
        return;
    }
    f->grade = grade_pts[c->grade];
    double spare = c->spare_leadership_capacity;
    if (spare == IMV_UNKNOWN) {
        f->spare = -5;
        spare = 2;
    } else if (spare < w[P_MIN_SPARE]) {
        f->excluded = 1;
        f->why = "it has too little spare leadership capacity";
        return;
    } else {
        f->spare = 8 * (spare - 2);
    }
    if (c->current_commitments != IMV_UNKNOWN)
        f->commitments = -8 * c->current_commitments;
    double stretch = 1 - imv_clamp((spare - 2) / 1.5, 0, 1);
    if (c->child_population != IMV_UNKNOWN) {
        if (c->child_population < w[P_SMALL_PARTNER])
            f->size -= 8 * stretch;
        if (p->child_population != IMV_UNKNOWN && p->child_population > 0) {
            double ratio = c->child_population / p->child_population;
            f->size += ratio >= 2 ? 10 : ratio < 1 ? -15 * stretch : 0;
        }
    }
    f->neighbouring = c->neighbouring == 1 ? 8 : c->neighbouring == 0 ? -5 : 0;
    f->receiving = 3 * (p->ratings[IMV_R_ACCEPTANCE] - 2);
    double raw = f->base + f->grade + f->spare + f->commitments + f->size + f->neighbouring +
                 f->receiving;
    f->total = imv_clamp(raw, 0, 100);
    f->limit = f->total - raw;
}

/* The parts of the reported partner's fit, for the result (ABI 2.2). */
static void report_fit(const imv_partner_view *c, const imv_profile_view *p, const double *w,
                       imv_result *r, const imv_host *h)
{
    if (!IMV_HOST_HAS(h, partner_component))
        return;
    fit_parts f;
    partner_fit(c, p, w, &f);
    if (f.excluded)
        return;
    const struct {
        const char *name;
        double pts;
        const char *ev;
    } parts[] = {
        {"base", f.base, "the starting fit of any candidate (docs/models.md)"},
        {"grade", f.grade,
         "003 case study 4: Hampshire consistently good or outstanding; "
         "002: Plymouth itself requires improvement"},
        {"spare_capacity", f.spare,
         "003 ch.3: a partner needs spare capacity; 002: "
         "insufficient leadership capacity"},
        {"commitments", f.commitments,
         "003 ch.3: the risk of over-burdening system leaders; "
         "002: Plymouth stretched across both"},
        {"size", f.size, "002: another relatively small local authority, likely to be stretched"},
        {"neighbouring", f.neighbouring,
         "003 ch.3 (c): a strong, usually neighbouring council; "
         "003 case studies 1 and 4"},
        {"receiving_conditions", f.receiving,
         "DOMAIN cross-cutting: the effect depends on the "
         "conditions within the receiving service; 003 ch.2 "
         "toolkit: imported systems need leaders who accept them"},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h->partner_component(r, c->id, parts[i].name, parts[i].pts, parts[i].ev);
    if (f.limit != 0)
        h->partner_component(r, c->id, "limit", f.limit, "a fit is kept within 0..100");
}

static double fit_of(const imv_partner_view *c, const imv_profile_view *p, const double *w)
{
    fit_parts f;
    partner_fit(c, p, w, &f);
    return f.excluded ? -1 : f.total;
}

/* The partner: the one in place when this model is in place and names
 * it, else the best viable candidate.  Index or -1; its fit in *fit. */
static long choose_partner(const imv_profile_view *p, const double *w, double *fit)
{
    long best = -1;
    *fit = 0;
    for (size_t i = 0; i < p->n_partners; i++) {
        double f = fit_of(p->partners[i], p, w);
        if (imv_in_place(p, ID) && p->intervention_partner &&
            strcmp(p->partners[i]->id, p->intervention_partner) == 0) {
            *fit = f < 0 ? 0 : f;
            return f >= w[P_MIN_FIT] ? (long)i : -1;
        }
        if (f >= w[P_MIN_FIT] && f > *fit) {
            best = (long)i;
            *fit = f;
        }
    }
    return best;
}

/* The best candidate whatever its fit (excluded ones aside), for telling
 * a would-be partner how far it falls short; -1 when all are excluded. */
static long best_any(const imv_profile_view *p, const double *w, double *fit)
{
    long best = -1;
    *fit = -1;
    for (size_t i = 0; i < p->n_partners; i++) {
        double f = fit_of(p->partners[i], p, w);
        if (f > *fit) {
            best = (long)i;
            *fit = f;
        }
    }
    return best;
}

/* One line per candidate with its fit and each part of it, so that a
 * council weighing whether to partner sees what holds it back. */
static void candidate_reasons(const imv_profile_view *p, const double *w, imv_result *r,
                              const imv_host *h)
{
    for (size_t i = 0; i < p->n_partners; i++) {
        const imv_partner_view *c = p->partners[i];
        fit_parts f;
        partner_fit(c, p, w, &f);
        char text[600];
        if (f.excluded)
            snprintf(text, sizeof text, "candidate %s cannot partner: %s", c->id, f.why);
        else
            snprintf(text, sizeof text,
                     "candidate %s fits %.0f/100 (%s %.0f needed): 40, grade %s "
                     "%+.0f, spare capacity %+.0f, other commitments %+.0f, size %+.0f, "
                     "neighbouring %+.0f, the receiving council's acceptance %+.0f",
                     c->id, f.total, f.total >= w[P_MIN_FIT] ? "at least" : "below the",
                     w[P_MIN_FIT], h->grade_name(c->grade), f.grade, f.spare, f.commitments, f.size,
                     f.neighbouring, f.receiving);
        h->add_reason(r, "partners", 0, text, EV_PARTNER);
    }
}

/* A strong partner adds most where the council lacks leaders of its own
 * (003 ch.4 second contention): the bonus of a good fit is scaled by that
 * need, falling from 1 at officer capacity 1 to 1/4 at 2.5 and above; a
 * poor fit costs the same whatever the need. */
static void partner_term(imv_acc *a, const imv_profile_view *p, const double *w, long best,
                         double fit, double officer)
{
    char text[300];
    double need = imv_clamp(1 - (officer - 1) / 2, 0.25, 1);
    double pts = fit >= 60 ? w[P_W_FIT] * (fit - 60) * need : w[P_W_FIT] * (fit - 60);
    text[0] = '\0'; /* score-only and brief calls read no text: none is made */
    if (a->texts)
        snprintf(text, sizeof text,
                 "partner %s fits with %.0f/100 (grade, spare capacity, "
                 "commitments, size, neighbouring, the receiving council's acceptance)%s",
                 p->partners[best]->id, fit,
                 fit >= 60 && need < 1 ? ", worth less where the council has leaders of its own"
                                       : "");
    imv_acc_term(a, "partners,ratings.senior_leadership,ratings.middle_leadership,ratings.acceptance",
                 pts, text, text, EV_PARTNER);
}

static void conditions(imv_acc *a, const imv_profile_view *p, const double *w)
{
    const double *rt = p->ratings;
    imv_acc_term(a, "ratings.workforce_stability",
                 w[P_W_WORKFORCE] * (rt[IMV_R_WORKFORCE_STABILITY] - 2),
                 "a stable workforce lets the shared leaders spend their time on practice",
                 "the workforce is unstable; shared leaders cannot recruit for the council",
                 EV_WORKFORCE);
    imv_acc_term(a, "ratings.leadership_stability",
                 w[P_W_STABILITY] * (rt[IMV_R_LEADERSHIP_STABILITY] - 2),
                 "the council's own leadership is stable",
                 "leadership churn; the partner's team will have to supply the stability",
                 "003 case study 4: the partnership 'brought stable and consistent leadership'");
    imv_acc_term(a, "ratings.financial_resilience",
                 w[P_W_FINANCE] * (rt[IMV_R_FINANCIAL_RESILIENCE] - 2),
                 "the council can fund the turnaround the partner leads",
                 "weak finances: agency and placement costs will eat into the partnership",
                 EV_FINANCE);
    mc_workforce_rates(a, p, w[P_W_AGENCY], "staffing problems slow the partnership (Torbay, 002)",
                       EV_WORKFORCE);
    if (IMV_HAS_FACT(p, IMV_F_LEADERSHIP_CHANGES_3Y))
        imv_acc_term(
            a, "facts.leadership_changes_3y",
            -w[P_W_CHURN] * imv_clamp(p->facts[IMV_F_LEADERSHIP_CHANGES_3Y] - 2, 0, 3), "",
            "repeated leadership changes: the heads of service under the shared director keep leaving",
            "002: three Torbay heads of service left prematurely");
    mc_investment(a, p, w[P_W_INVEST]);
    mc_children_in_care(a, p, w[P_W_CARE]);
}

/* Why a partnership would be chosen: the second contention. */
static void need(imv_acc *a, const imv_profile_view *p, const double *w, double officer)
{
    const double *rt = p->ratings;
    double corp = rt[IMV_R_CORPORATE_LEADERSHIP];
    imv_acc_term(a, "ratings.political_commitment",
                 w[P_W_COMMITMENT] * (rt[IMV_R_POLITICAL_COMMITMENT] - 2),
                 "members are committed to change and will back a shared leadership team",
                 "political commitment is weak; a partnership needs the council's members behind it",
                 EV_CONTENTION);
    /* "Disengaged" is the anchor for 0 (PROFILE-FORMAT); say so only near it. */
    imv_acc_term(a, "ratings.corporate_leadership", w[P_W_CORPORATE] * (corp - 2),
                 "the chief executive backs the partnership",
                 corp < 1
                     ? "the corporate centre is disengaged; the partnership lacks a sponsor"
                     : "the corporate centre's backing is only partial; the partnership needs a sponsor",
                 EV_CONTENTION);
    imv_acc_term(
        a, "ratings.senior_leadership,ratings.middle_leadership", w[P_W_GAP] * (2 - officer),
        "senior and middle leadership capacity is lacking: exactly the gap a shared team fills",
        "the council has its own leadership capacity; a shared team adds less", EV_CONTENTION);
    imv_acc_term(a, "ratings.failure_extent", -w[P_W_EXTENT] * (rt[IMV_R_FAILURE_EXTENT] - 2),
                 "the failure is contained",
                 "the failure is widespread; a partner takes on a bigger, riskier job",
                 "003 ch.1 factor (a)");
    mc_front_door(
        a, p, w[P_W_FRONT_DOOR],
        "a strong partner imports its working front door 'basically unchanged' (003 ch.2 toolkit)");
}

static void preconditions(const imv_profile_view *p, imv_result *r, const imv_host *h, long best)
{
    if (p->grade <= IMV_G_GOOD)
        h->add_unmet(r, "the authority is good or better: it needs no formal intervention");
    if (best >= 0)
        return;
    if (imv_in_place(p, ID) && p->intervention_partner)
        h->add_unmet(r, "the partner in place no longer fits (too little spare capacity, or too "
                        "weak itself): the partnership cannot go on as it is (002: Plymouth-Torbay "
                        "axed for insufficient leadership capacity)");
    else
        h->add_unmet(
            r, p->n_partners == 0
                   ? "no candidate partner council is named; a partnership needs a strong partner with "
                     "spare capacity (003 ch.3; 002)"
                   : "no candidate partner is strong enough or has the spare capacity; look for a "
                     "larger, well-performing council (002: Ray Jones on Plymouth-Torbay)");
}

static void risks(const imv_profile_view *p, imv_result *r, const imv_host *h, long best)
{
    h->add_risk(r, "the partner must keep spare capacity for the duration; partners get "
                   "over-stretched (003 ch.3; 002)");
    if (best >= 0) {
        const imv_partner_view *c = p->partners[best];
        if (c->grade == IMV_G_REQUIRES_IMPROVEMENT)
            h->add_risk(r, "the partner is itself 'requires improvement' and is still "
                           "stabilising its own service (002)");
        if (c->current_commitments != IMV_UNKNOWN && c->current_commitments > 0)
            h->add_risk(r, "the partner already supports another council");
    }
    if (p->ratings[IMV_R_WORKFORCE_STABILITY] < 1.5)
        h->add_risk(r, "recruitment may keep failing under the shared team, as at Torbay (002)");
}

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    const double *rt = p->ratings;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    double fit;
    long best = choose_partner(p, w, &fit);
    imv_rule_facts ru;
    imv_rule_facts_of_view(p, &ru);
    imv_acc a;
    imv_acc_init(&a, w[P_BASE], p, r, h);
    imv_acc_base(&a, "the base score of an executive partnership, before any factor",
                 "declared parameter base (docs/models.md)");
    int in_place = mc_continuing(&a, p, &ru, ID, "the partnership", w[P_CONTINUING],
                                 "escalate to a commissioner (002: Plymouth-Torbay axed)", r, h);
    if (!in_place) {
        need(&a, p, w, officer);
        if (best >= 0)
            partner_term(&a, p, w, best, fit, officer);
        else
            /* Scored as the poorest fit that would do, so that a candidate
             * crossing min_fit never costs points (declared directions). */
            imv_acc_term(&a, "partners", w[P_W_FIT] * (w[P_MIN_FIT] - 60), "",
                         "no candidate partner reaches the fit a partnership needs: scored at "
                         "that fit",
                         EV_PARTNER);
        mc_switching(&a, p, &ru, ID, w[P_SWITCH]);
        if (!mc_reviewed(p))
            mc_persistent(&a, p, &ru, -w[P_PERSISTENT],
                          "the rules call for a commissioner's review first", EV_RULES);
        if (!mc_reviewed(p))
            mc_systemic(&a, p, &ru, -w[P_SYSTEMIC], 0,
                        "the rules call for a commissioner's review first", EV_RULES);
    }
    conditions(&a, p, w);
    if (p->grade != IMV_G_INADEQUATE)
        imv_acc_term(
            &a, "ofsted.grade", -w[P_RI_PENALTY], "",
            in_place
                ? "no longer inadequate: the shared leadership can step back once "
                  "improvement has momentum"
                : "not judged inadequate: sharing a director is more than the position calls for",
            "003 ch.4: partnerships for inadequate services; peer support for fair to good");
    imv_acc_done(&a);
    preconditions(p, r, h, best);
    /* The partner and its fit's parts are details a score-only call (a
     * draw) ignores: not worked out again for it. */
    if (a.quiet)
        return 0;
    /* A brief call (a CSV) shows the partner and its fit, not their parts. */
    if (best >= 0) {
        h->set_partner(r, p->partners[best]->id, fit);
        if (a.texts)
            report_fit(p->partners[best], p, w, r, h);
    } else {
        double any_fit;
        long any = best_any(p, w, &any_fit);
        if (any >= 0) {
            h->set_partner(r, p->partners[any]->id, any_fit);
            if (a.texts)
                report_fit(p->partners[any], p, w, r, h);
        }
    }
    if (a.texts)
        candidate_reasons(p, w, r, h);
    /* 003 ch.2 toolkit: a strong partner brings "a core system basically
     * unchanged", shortening the stabilising phase. */
    mc_timeline(p, &ru, in_place, w[P_SETUP], best >= 0 && fit >= 70 ? w[P_IMPORT_MONTHS] : 0, r, h);
    if (a.texts)
        risks(p, r, h, best);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "executive_partnership",
    .name = "Executive partnership",
    .version = "2.0.0",
    .summary = "A strong council shares its director and leaders; fits political commitment "
               "without leadership capacity, and needs a viable partner. Rises with political "
               "commitment, corporate leadership, acceptance, workforce and leadership stability, "
               "finances, partner fit; falls with senior/middle leadership and failure_extent.",
    .evidence = "003 ch.4 second contention; 003 ch.3 formal support (c); 003 case studies 1 "
                "(Kingston-Richmond) and 4 (Hampshire-Isle of Wight); 002 (Plymouth-Torbay)",
    IMV_PARAMS(params),
    .score = score,
    .score_batch = NULL,
    /* How a higher rating moves the score (tests/check_models.c checks it). */
    .directions = "senior_leadership:-,middle_leadership:-,leadership_stability:+,political_commitment:+,"
                  "corporate_leadership:+,acceptance:+,governance:0,partnerships:0,"
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
