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

#include "imeval_plugin.h"

enum {
    P_W_COMMITMENT, P_W_CORPORATE, P_W_GAP, P_W_ACCEPTANCE, P_W_EXTENT,
    P_W_FIT, P_W_WORKFORCE, P_W_STABILITY, P_W_FINANCE, P_W_AGENCY,
    P_W_CHURN, P_PERSISTENT, P_RI_PENALTY, P_MIN_FIT, P_MIN_SPARE,
    P_SMALL_PARTNER, P_IMPORT_MONTHS, P_STALL, P_SETUP, P_CONTINUITY, P_COUNT
};

static const imv_param_def params[P_COUNT] = {
    [P_W_COMMITMENT] = {"w_commitment", 10, 0, 25,
        "points per rating point of political_commitment above 2", IMV_PLAUSIBLE(7.5, 12.5)},
    [P_W_CORPORATE] = {"w_corporate", 4, 0, 15,
        "points per rating point of corporate_leadership above 2", IMV_PLAUSIBLE(3, 5)},
    [P_W_GAP] = {"w_gap", 6, 0, 15,
        "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2", IMV_PLAUSIBLE(4.5, 7.5)},
    [P_W_ACCEPTANCE] = {"w_acceptance", 3, 0, 10,
        "points per rating point of acceptance above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_EXTENT] = {"w_extent", 3, 0, 10,
        "points lost per rating point of failure_extent above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_FIT] = {"w_fit", 0.5, 0, 1,
        "points per point of partner fit above 60", IMV_PLAUSIBLE(0.38, 0.62)},
    [P_W_WORKFORCE] = {"w_workforce", 3, 0, 10,
        "points per rating point of workforce_stability above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_STABILITY] = {"w_stability", 1, 0, 10,
        "points per rating point of leadership_stability above 2 (the partner supplies stable leaders)", IMV_PLAUSIBLE(0.75, 1.25)},
    [P_W_FINANCE] = {"w_finance", 3, 0, 10,
        "points per rating point of financial_resilience above 2", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_AGENCY] = {"w_agency", 3, 0, 10,
        "points lost per 10 percentage points of agency_rate above 15%", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_W_CHURN] = {"w_churn", 1, 0, 5,
        "points lost per leadership change beyond two in three years (up to three)", IMV_PLAUSIBLE(0.75, 1.25)},
    [P_PERSISTENT] = {"persistent_penalty", 5, 0, 30,
        "points lost for persistent failure (inadequate now and at one of the two previous inspections)", IMV_PLAUSIBLE(3.75, 6.25)},
    [P_RI_PENALTY] = {"ri_penalty", 12, 0, 30,
        "points lost when the authority is not judged inadequate", IMV_PLAUSIBLE(9, 15)},
    [P_MIN_FIT] = {"min_fit", 45, 0, 100,
        "partner fit below which a candidate is not a viable partner", IMV_PLAUSIBLE(40, 50)},
    [P_MIN_SPARE] = {"min_spare_capacity", 1, 0, 4,
        "spare leadership capacity a partner must have", IMV_PLAUSIBLE(0.75, 1.25)},
    [P_SMALL_PARTNER] = {"small_partner_children", 60000, 0, 500000,
        "child population below which a partner is small and easily stretched", IMV_PLAUSIBLE(50000, 70000)},
    [P_IMPORT_MONTHS] = {"import_months", 4, 0, 12,
        "months saved on the way to fair by importing a strong partner's core systems (fit >= 70)", IMV_PLAUSIBLE(3, 5)},
    [P_STALL] = {"stall_months", 24, 6, 72,
        "months under a partnership, still inadequate, after which it has stalled", IMV_PLAUSIBLE(18, 30)},
    [P_SETUP] = {"setup_months", 3, 0, 12,
        "months to agree the partnership and install the shared leadership", IMV_PLAUSIBLE(2.25, 3.75)},
    [P_CONTINUITY] = {"continuity_bonus", 5, 0, 20,
        "points when this model is already in place, the authority inadequate, and within its expected time", IMV_PLAUSIBLE(3.75, 6.25)},
};

#define EV_CONTENTION "003 ch.4 Formal improvement support: executive partnership where political commitment but leadership capacity lacking"
#define EV_PARTNER "003 ch.3 (c) and overburdening system leaders; 002: Plymouth-Torbay ended, partner itself requires improvement"
#define EV_WORKFORCE "003 ch.2 Enabler 3; 002: Torbay's recruitment kept failing"
#define EV_FINANCE "003 ch.2 Enabler 7; 002: Torbay's finances worsened"

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
    return p->intervention_model && strcmp(p->intervention_model, "executive_partnership") == 0
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

/* Fit 0..100 of one candidate, or -1 when it cannot be a partner at all.
 * Grade and spare capacity weigh most: Hampshire ("consistently good or
 * outstanding", 003 case study 4) against Plymouth ("requires improvement",
 * "insufficient leadership capacity", 002). */
static double partner_fit(const imv_partner_view *c, const imv_profile_view *p,
                          const double *w)
{
    static const double grade_pts[IMV_G_COUNT] = {25, 15, -25, -100, -10};
    double f = 40;

    if (c->grade == IMV_G_INADEQUATE)
        return -1;
    f += grade_pts[c->grade];
    if (c->spare_leadership_capacity == IMV_UNKNOWN)
        f -= 5;
    else if (c->spare_leadership_capacity < w[P_MIN_SPARE])
        return -1;
    else
        f += 8 * (c->spare_leadership_capacity - 2);
    if (c->current_commitments != IMV_UNKNOWN)
        f -= 8 * c->current_commitments;
    if (c->child_population != IMV_UNKNOWN) {
        if (c->child_population < w[P_SMALL_PARTNER])
            f -= 8;
        if (p->child_population != IMV_UNKNOWN && p->child_population > 0) {
            double ratio = c->child_population / p->child_population;
            f += ratio >= 2 ? 10 : ratio < 1 ? -15 : 0;
        }
    }
    f += c->neighbouring == 1 ? 8 : c->neighbouring == 0 ? -5 : 0;
    return clamp(f, 0, 100);
}

/* Index of the best viable candidate, or -1; its fit in *fit. */
static long best_partner(const imv_profile_view *p, const double *w, double *fit)
{
    long best = -1;
    *fit = 0;
    for (size_t i = 0; i < p->n_partners; i++) {
        double f = partner_fit(p->partners[i], p, w);
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
        double f = partner_fit(p->partners[i], p, w);
        if (f > *fit) {
            best = (long)i;
            *fit = f;
        }
    }
    return best;
}

/* One line per candidate, so that a council weighing whether to partner
 * sees its own fit and what holds it back (003 ch.3: partners need spare
 * capacity; 002: Plymouth was itself "requires improvement"). */
static void candidate_reasons(const imv_profile_view *p, const double *w, imv_result *r,
                              const imv_host *h)
{
    for (size_t i = 0; i < p->n_partners; i++) {
        const imv_partner_view *c = p->partners[i];
        double f = partner_fit(c, p, w);
        char text[400];
        if (f < 0)
            snprintf(text, sizeof text, "candidate %s cannot partner: %s", c->id,
                     c->grade == IMV_G_INADEQUATE ? "it is itself inadequate"
                                                  : "it has too little spare leadership capacity");
        else
            snprintf(text, sizeof text, "candidate %s fits %.0f/100 (%s %.0f needed): grade %s%s%s%s",
                     c->id, f, f >= w[P_MIN_FIT] ? "at least" : "below the", w[P_MIN_FIT],
                     h->grade_name(c->grade),
                     c->current_commitments > 0 ? ", already supports another council" : "",
                     c->child_population != IMV_UNKNOWN && c->child_population < w[P_SMALL_PARTNER]
                         ? ", small" : "",
                     c->neighbouring == 1 ? ", neighbouring" : "");
        h->add_reason(r, "partners", 0, text, EV_PARTNER);
    }
}

/* A strong partner adds most where the council lacks leaders of its own
 * (003 ch.4 second contention): the bonus of a good fit is scaled by that
 * need, falling from 1 at officer capacity 1 to 1/4 at 2.5 and above; a
 * poor fit costs the same whatever the need.  Both keep the declared
 * direction (never raised by more senior or middle leadership). */
static void partner_term(acc *a, const imv_profile_view *p, const double *w, long best,
                         double fit, double officer)
{
    char text[200];
    double need = clamp(1 - (officer - 1) / 2, 0.25, 1);
    double pts = fit >= 60 ? w[P_W_FIT] * (fit - 60) * need : w[P_W_FIT] * (fit - 60);
    snprintf(text, sizeof text, "partner %s fits with %.0f/100 (grade, spare capacity, "
             "commitments, size, neighbouring)%s", p->partners[best]->id, fit,
             fit >= 60 && need < 1 ? ", worth less where the council has leaders of its own" : "");
    add(a, "partners,ratings.senior_leadership,ratings.middle_leadership", pts, text, text,
        EV_PARTNER);
}

static void conditions(acc *a, const imv_profile_view *p, const double *w)
{
    const double *rt = p->ratings;
    add(a, "ratings.workforce_stability",
        w[P_W_WORKFORCE] * (rt[IMV_R_WORKFORCE_STABILITY] - 2),
        "a stable workforce lets the shared leaders spend their time on practice",
        "the workforce is unstable; shared leaders cannot recruit for the council", EV_WORKFORCE);
    add(a, "ratings.leadership_stability",
        w[P_W_STABILITY] * (rt[IMV_R_LEADERSHIP_STABILITY] - 2),
        "the council's own leadership is stable",
        "leadership churn; the partner's team will have to supply the stability",
        "003 case study 4: the partnership 'brought stable and consistent leadership'");
    add(a, "ratings.financial_resilience",
        w[P_W_FINANCE] * (rt[IMV_R_FINANCIAL_RESILIENCE] - 2),
        "the council can fund the turnaround the partner leads",
        "weak finances: agency and placement costs will eat into the partnership", EV_FINANCE);
    if (IMV_HAS_FACT(p, IMV_F_AGENCY_RATE) && p->facts[IMV_F_AGENCY_RATE] > 0.15)
        add(a, "facts.agency_rate",
            -w[P_W_AGENCY] * (p->facts[IMV_F_AGENCY_RATE] - 0.15) / 0.10, "",
            "a high agency rate slows the partnership (Torbay's staffing problems)", EV_WORKFORCE);
    if (IMV_HAS_FACT(p, IMV_F_LEADERSHIP_CHANGES_3Y)) {
        double n = clamp(p->facts[IMV_F_LEADERSHIP_CHANGES_3Y] - 2, 0, 3);
        add(a, "facts.leadership_changes_3y", -w[P_W_CHURN] * n, "",
            "repeated leadership changes: the heads of service under the shared director keep leaving",
            "002: three Torbay heads of service left prematurely");
    }
}

static void need(acc *a, const imv_profile_view *p, const double *w, double officer)
{
    const double *rt = p->ratings;
    add(a, "ratings.political_commitment",
        w[P_W_COMMITMENT] * (rt[IMV_R_POLITICAL_COMMITMENT] - 2),
        "members are committed to change and will back a shared leadership team",
        "political commitment is weak; a partnership needs the council's members behind it",
        EV_CONTENTION);
    add(a, "ratings.corporate_leadership",
        w[P_W_CORPORATE] * (rt[IMV_R_CORPORATE_LEADERSHIP] - 2),
        "the chief executive backs the partnership",
        "the corporate centre is disengaged; the partnership lacks a sponsor", EV_CONTENTION);
    add(a, "ratings.senior_leadership,ratings.middle_leadership",
        w[P_W_GAP] * (2 - officer),
        "senior and middle leadership capacity is lacking: exactly the gap a shared team fills",
        "the council has its own leadership capacity; a shared team adds less", EV_CONTENTION);
    add(a, "ratings.acceptance", w[P_W_ACCEPTANCE] * (rt[IMV_R_ACCEPTANCE] - 2),
        "leaders accept the judgement and will take the partner's systems",
        "leaders dispute the judgement; imported systems may be resisted",
        "003 ch.1 factor (b); 003 ch.2 toolkit: imported procedures need internal buy-in");
    add(a, "ratings.failure_extent", -w[P_W_EXTENT] * (rt[IMV_R_FAILURE_EXTENT] - 2),
        "the failure is contained",
        "the failure is widespread; a partner takes on a bigger, riskier job",
        "003 ch.1 factor (a); DOMAIN rules: systemic failure points to a commissioner");
}

static void preconditions(const imv_profile_view *p, const double *w,
                          imv_result *r, const imv_host *h, long best)
{
    if (p->grade <= IMV_G_GOOD)
        h->add_unmet(r, "the authority is good or better: it needs no formal intervention");
    if (best < 0)
        h->add_unmet(r, p->n_partners == 0
            ? "no candidate partner council is named; a partnership needs a strong partner with "
              "spare capacity (003 ch.3; 002)"
            : "no candidate partner is strong enough or has the spare capacity; look for a "
              "larger, well-performing council (002: Ray Jones on Plymouth-Torbay)");
    if (p->intervention_model && strcmp(p->intervention_model, "executive_partnership") == 0
        && p->grade == IMV_G_INADEQUATE && p->intervention_months != IMV_UNKNOWN
        && p->intervention_months >= w[P_STALL])
        h->add_unmet(r, "a partnership has been in place past its expected time and the "
                        "authority is still inadequate: it has stalled; escalate to a "
                        "commissioner (002: Plymouth-Torbay axed; DOMAIN rules)");
}

static void risks(const imv_profile_view *p, imv_result *r, const imv_host *h,
                  long best)
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

static void timeline(const imv_profile_view *p, const double *w, imv_result *r,
                     const imv_host *h, double fit)
{
    imv_journey j = {.struct_size = sizeof j};
    h->journey(p, &j);
    /* 003 ch.2 toolkit: a strong partner brings "a core system basically
     * unchanged", shortening the stabilising phase. */
    double cut = fit >= 70 ? w[P_IMPORT_MONTHS] : 0;
    double s = w[P_SETUP];
    double fair = j.months_to_fair > 0 ? s + fmax(j.months_to_fair - cut, 0) : 0;
    double good = j.months_to_good > 0 ? s + fmax(j.months_to_good - cut, 0) : 0;
    h->set_timeline(r, s, fair, good);
}

static int score(const imv_profile_view *p, const double *w, imv_result *r,
                 const imv_host *h)
{
    const double *rt = p->ratings;
    double officer = (rt[IMV_R_SENIOR_LEADERSHIP] + rt[IMV_R_MIDDLE_LEADERSHIP]) / 2;
    double fit;
    long best = best_partner(p, w, &fit);
    acc a = {.s = 45, .r = r, .h = h, .quiet = (p->flags & IMV_VIEW_SCORE_ONLY) != 0};

    need(&a, p, w, officer);
    conditions(&a, p, w);
    if (best >= 0)
        partner_term(&a, p, w, best, fit, officer);
    if (continuing(p, w))
        add(&a, "current_intervention", w[P_CONTINUITY], "the partnership is in place and still within its expected time: hold your nerve rather than restart", "",
            "003 ch.1 poor to fair: hold your nerve while data lag practice");
    if (persistent(p))
        add(&a, "ofsted.grade,ofsted.previous", -w[P_PERSISTENT], "",
            "persistent failure: the rules call for a commissioner's review first",
            "DOMAIN rules in force: commissioner for persistent failure");
    if (p->grade != IMV_G_INADEQUATE)
        add(&a, "ofsted.grade", -w[P_RI_PENALTY], "",
            "not judged inadequate: sharing a director is more than the position calls for",
            "003 ch.4: partnerships for inadequate services; peer support for fair to good");
    h->set_score(r, clamp(a.s, 0, 100));
    preconditions(p, w, r, h, best);
    if (best >= 0) {
        h->set_partner(r, p->partners[best]->id, fit);
    } else {
        double any_fit;
        long any = best_any(p, w, &any_fit);
        if (any >= 0)
            h->set_partner(r, p->partners[any]->id, any_fit);
    }
    if (a.quiet)
        return 0;
    candidate_reasons(p, w, r, h);
    timeline(p, w, r, h, best >= 0 ? fit : 0);
    risks(p, r, h, best);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "executive_partnership",
    .name = "Executive partnership",
    .version = "1.0.0",
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
    .directions =
        "senior_leadership:-,middle_leadership:-,leadership_stability:+,political_commitment:+,"
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
