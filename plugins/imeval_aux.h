/*
 * imeval_aux.h - helpers every model would otherwise write again, built
 * only from imeval_plugin.h (as lauxlib is built on Lua's core API).
 *
 * Header-only: each function is a static inline compiled into the plugin,
 * so the helpers cost no ABI and no indirect call.  The Lua `imeval`
 * library implements its helpers (imeval.clamp, imeval.term, imeval.base,
 * imeval.intervention_state) with these same functions, so a C model and
 * a Lua model that use them cannot drift apart.
 *
 *     #include "imeval_aux.h"     (includes imeval_plugin.h)
 *
 *     imv_acc a;
 *     imv_acc_init(&a, w[P_BASE], p, r, h);
 *     imv_acc_base(&a, "the model's starting score", "DOMAIN ...");
 *     imv_acc_term(&a, "ratings.acceptance", w[P_W] * (acc - 2),
 *                  "leaders accept the findings",     (when it adds)
 *                  "leaders dispute the findings",    (when it takes away)
 *                  "003 ch.1");
 *     imv_acc_done(&a);           (sets the score, clamped to 0..100)
 */
#ifndef IMEVAL_AUX_H
#define IMEVAL_AUX_H

#include <stdio.h>
#include <string.h>

#include "imeval_plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline double imv_clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* The text a term of pts points shows: if_up when it adds, if_down when
 * it takes away, NULL when it is too small to print (|pts| < 0.05 prints
 * as 0.0) or there is no text for its sign. */
static inline const char *imv_term_text(double pts, const char *if_up, const char *if_down)
{
    if (!(pts >= IMV_REASON_MIN_POINTS || pts <= -IMV_REASON_MIN_POINTS))
        return NULL;
    const char *t = pts > 0 ? if_up : if_down;
    return t && *t ? t : NULL;
}

/* A score under construction.  In score-only calls (bulk draws) and brief
 * ones (a CSV) no reason is built: the sum is all that is wanted. */
typedef struct imv_acc {
    double score;
    imv_result *r;
    const imv_host *h;
    int quiet; /* the view is IMV_VIEW_SCORE_ONLY */
    int texts; /* reasons and risks are wanted: neither that nor IMV_VIEW_BRIEF */
} imv_acc;

static inline void imv_acc_init(imv_acc *a, double base, const imv_profile_view *p, imv_result *r,
                                const imv_host *h)
{
    a->score = base;
    a->r = r;
    a->h = h;
    a->quiet = (p->flags & IMV_VIEW_SCORE_ONLY) != 0;
    a->texts = (p->flags & (IMV_VIEW_SCORE_ONLY | IMV_VIEW_BRIEF)) == 0;
}

/* Show the base score as a reason of its own (issue 11: the largest term
 * must not be invisible).  It rests on no profile field, so its field
 * list is empty. */
static inline void imv_acc_base(imv_acc *a, const char *text, const char *evidence)
{
    if (a->texts)
        a->h->add_reason(a->r, "", a->score, text, evidence);
}

/* Add pts to the score, and a reason when the term moves the score by
 * enough to print.  fields: comma-separated JSON paths of the profile. */
static inline void imv_acc_term(imv_acc *a, const char *fields, double pts, const char *if_up,
                                const char *if_down, const char *evidence)
{
    a->score += pts;
    if (!a->texts)
        return;
    const char *t = imv_term_text(pts, if_up, if_down);
    if (t)
        a->h->add_reason(a->r, fields, pts, t, evidence);
}

/* Set the score, clamped to 0..100, and return it. */
static inline double imv_acc_done(imv_acc *a)
{
    double s = imv_clamp(a->score, 0, 100);
    a->h->set_score(a->r, s);
    return s;
}

/* Where the intervention in place stands, from the view alone. */
typedef enum imv_iv_state {
    IMV_IV_NONE,       /* no intervention in place */
    IMV_IV_CONTINUING, /* in place, still inadequate, nothing says it has stalled */
    IMV_IV_STALLED,    /* in place, still inadequate, stalled or deteriorating */
    IMV_IV_IMPROVED    /* in place and no longer inadequate */
} imv_iv_state;

/* 1 when the model in place is `id`. */
static inline int imv_in_place(const imv_profile_view *p, const char *id)
{
    return p->intervention_model && id && strcmp(p->intervention_model, id) == 0;
}

/* 1 when the view carries the engine's decision on the intervention in
 * place (ABI 2.2; a view built by hand with no status has none). */
static inline int imv_has_status(const imv_profile_view *p)
{
    return IMV_VIEW_HAS(p, intervention_past_expected) &&
           (p->intervention_status != IMV_IV_STATUS_NONE || !p->intervention_model);
}

/* The state of the intervention in place: the engine's intervention_status
 * when the view has it (the same decision the monitor reports).  From an
 * older engine, months alone: its expected time is my_stall when the model
 * in place is my_id, else the view's intervention_expected_months; an
 * unknown time counts as continuing, and anything but inadequate or not
 * inspected as improved. */
static inline imv_iv_state imv_intervention_state(const imv_profile_view *p, const char *my_id,
                                                  double my_stall)
{
    if (!p->intervention_model)
        return IMV_IV_NONE;
    if (imv_has_status(p)) {
        switch (p->intervention_status) {
        case IMV_IV_STATUS_IMPROVED: return IMV_IV_IMPROVED;
        case IMV_IV_STATUS_STALLED:
        case IMV_IV_STATUS_DETERIORATING: return IMV_IV_STALLED;
        default: return IMV_IV_CONTINUING;
        }
    }
    if (p->grade != IMV_G_INADEQUATE && p->grade != IMV_G_NOT_INSPECTED)
        return IMV_IV_IMPROVED;
    double expected = IMV_UNKNOWN;
    if (imv_in_place(p, my_id))
        expected = my_stall;
    else if (IMV_VIEW_HAS(p, intervention_expected_months))
        expected = p->intervention_expected_months;
    if (p->intervention_months == IMV_UNKNOWN || expected == IMV_UNKNOWN || expected < 0)
        return IMV_IV_CONTINUING;
    return p->intervention_months >= expected ? IMV_IV_STALLED : IMV_IV_CONTINUING;
}

/* A model's timeline in months, from the baseline journey's months to fair
 * and to good: from the decision for a new model, after its set-up; for the
 * model in place, from where it is, with no set-up lag and the months under
 * it (IMV_UNKNOWN: none) credited at the pace its status shows (on track in
 * full, stalled at half, deteriorating not at all), never less than the six
 * months to the next monitoring judgement while still inadequate.  0 means
 * "not needed" (the journey's own 0).  One definition for the C models
 * (models/model_common.h) and Lua's imeval.timeline. */
typedef struct imv_timeline {
    double setup_months, months_to_fair, months_to_good;
} imv_timeline;

static inline imv_timeline imv_timeline_of(double fair, double good, int in_place,
                                           imv_iv_status status, double months, double setup)
{
    if (!in_place)
        return (imv_timeline){setup, fair > 0 ? setup + fair : 0, good > 0 ? setup + good : 0};
    double pace = status == IMV_IV_STATUS_STALLED         ? 0.5
                  : status == IMV_IV_STATUS_DETERIORATING ? 0
                                                          : 1;
    double credit = months == IMV_UNKNOWN ? 0 : months * pace;
    double left = fair - credit;
    if (fair > 0 && left < 6)
        left = 6;
    double to_good = good - fair;
    return (imv_timeline){0, fair > 0 ? left : 0, good > 0 ? (fair > 0 ? left : 0) + to_good : 0};
}

/* The worst of the workforce rates given (agency, vacancy, turnover) when
 * it is above `above`: its IMV_F_* index, with the rate in *rate; -1 when
 * none is (DOMAIN cross-cutting: one workforce collapse, counted once, not
 * three times).  Ties go to the first in that order. */
static inline int imv_worst_rate(const imv_profile_view *p, double above, double *rate)
{
    static const int rates[] = {IMV_F_AGENCY_RATE, IMV_F_VACANCY_RATE, IMV_F_TURNOVER_RATE};
    int worst = -1;
    double top = above;
    for (int i = 0; i < 3; i++)
        if (IMV_HAS_FACT(p, rates[i]) && p->facts[rates[i]] > top) {
            top = p->facts[rates[i]];
            worst = rates[i];
        }
    if (rate)
        *rate = top;
    return worst;
}

/* "on_track", "stalling" (the name the result JSON has used since its
 * first version), "deteriorating", "improved", "unknown" or "none". */
static inline const char *imv_iv_status_name(imv_iv_status s)
{
    static const char *const names[IMV_IV_STATUS_COUNT] = {"none",          "on_track", "stalling",
                                                           "deteriorating", "improved", "unknown"};
    return s >= 0 && s < IMV_IV_STATUS_COUNT ? names[s] : "unknown";
}

/* The status imv_iv_status_name gives the name s, or otherwise. */
static inline imv_iv_status imv_iv_status_parse(const char *s, imv_iv_status otherwise)
{
    for (int k = 0; s && k < IMV_IV_STATUS_COUNT; k++)
        if (strcmp(s, imv_iv_status_name((imv_iv_status)k)) == 0)
            return (imv_iv_status)k;
    return otherwise;
}

static inline const char *imv_aux_grade_name(int g)
{
    static const char *const names[] = {"outstanding", "good", "requires_improvement", "inadequate",
                                        "not_inspected"};
    return g >= 0 && g < IMV_G_COUNT ? names[g] : "?";
}

/* The year of a YYYY[-MM[-DD]] date, 0 when there is none. */
static inline int imv_year(const char *date)
{
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (!date || date[i] < '0' || date[i] > '9')
            return 0;
        y = y * 10 + (date[i] - '0');
    }
    return y;
}

/* The clause that says why the intervention in place has the status it
 * has ("re-inspected inadequate 16 months in"), from the view's fields:
 * the words of the engine's decision, written once for the monitor and
 * every model.  "" without an intervention or a status. */
static inline void imv_intervention_why(const imv_profile_view *p, char *buf, size_t n)
{
    static const char *const finding[] = {"unknown", "improving", "mixed", "static", "deteriorating"};
    if (!n)
        return;
    buf[0] = '\0';
    if (!p->intervention_model || !IMV_VIEW_HAS(p, intervention_past_expected))
        return;
    const char *fdate = p->n_progress ? p->progress[0]->date : "?";
    int f = p->n_progress ? (int)p->progress[0]->finding : 0;
    if (f < 0 || f >= IMV_TREND_COUNT)
        f = 0;
    switch (p->intervention_signal) {
    case IMV_IV_SIGNAL_NONE:
        if (p->intervention_status == IMV_IV_STATUS_UNKNOWN)
            snprintf(buf, n, "no start date");
        break;
    case IMV_IV_SIGNAL_JUDGED: snprintf(buf, n, "judged %s", imv_aux_grade_name(p->grade)); break;
    case IMV_IV_SIGNAL_FELL:
        snprintf(buf, n, "fallen from %s to %s under it",
                 imv_aux_grade_name(p->intervention_baseline), imv_aux_grade_name(p->grade));
        break;
    case IMV_IV_SIGNAL_FINDING_DETERIORATING:
        snprintf(buf, n, "the latest monitoring finding (%s) is deteriorating", fdate);
        break;
    case IMV_IV_SIGNAL_REINSPECTED:
        snprintf(buf, n, "re-inspected inadequate %.0f months in",
                 p->intervention_reinspected_months);
        break;
    case IMV_IV_SIGNAL_FINDING_STATIC:
        snprintf(buf, n, "the latest monitoring finding (%s) is static", fdate);
        break;
    case IMV_IV_SIGNAL_PAST_EXPECTED:
        snprintf(buf, n, "%.0f months in, past the expected %.0f, still inadequate",
                 p->intervention_months, p->intervention_expected_months);
        break;
    case IMV_IV_SIGNAL_RESCUED:
        snprintf(buf, n, "re-inspected inadequate %.0f months in, but found improving",
                 p->intervention_reinspected_months);
        break;
    case IMV_IV_SIGNAL_FINDING:
        snprintf(buf, n, "the latest monitoring finding (%s) is %s%s", fdate, finding[f],
                 p->intervention_past_expected ? ", though past its expected time" : "");
        break;
    case IMV_IV_SIGNAL_MONTHS:
        snprintf(buf, n, "%.0f months in, no judgement or finding against it",
                 p->intervention_months);
        break;
    default: break;
    }
}

/* One rule in force (DOMAIN "The rules in force"): its bit, its name, the
 * date it came in (DOMAIN gives the year; taken from 1 January) and the
 * passage to cite.  The engine sets imv_profile_view.rules_in_force from
 * this same table, so a model that cites it cannot disagree with it. */
typedef struct imv_rule_info {
    unsigned bit;
    const char *name;
    const char *since;
    const char *evidence;
} imv_rule_info;

static inline const imv_rule_info *imv_rule(int i)
{
    static const imv_rule_info rules[IMV_RULE_COUNT] = {
        {IMV_RULE_PROFIT_RESTRICTION, "profit_restriction", "2014-01",
         "DOMAIN rules in force: delegating children's social care to a profit-making body is "
         "restricted (2014 regulations)"},
        {IMV_RULE_COMMISSIONER, "commissioner", "2016-01",
         "DOMAIN rules in force: since 2016 a commissioner for persistent failure (inadequate more "
         "than once in five years) or systemic failure (inadequate on every key judgement)"},
        {IMV_RULE_PRESUMPTION_OF_REMOVAL, "presumption_of_removal", "2017-01",
         "DOMAIN rules in force: directions from 2017 carried a presumption of removal unless "
         "there are compelling reasons not to"},
        {IMV_RULE_SECTOR_LED, "sector_led", "2017-01",
         "DOMAIN rules in force: from 2017 the emphasis moved to sector-led support; imposed "
         "trusts became rare"},
        {IMV_RULE_TRUST_ONE_OUTCOME, "trust_one_outcome", "2023-01",
         "DOMAIN rules in force: since 2023 a trust is one possible outcome of a commissioner's "
         "review, and the DfE has sought a cheaper alternative"},
        {IMV_RULE_COMMISSIONER_REVIEWS, "commissioner_reviews", "2013-01",
         "DOMAIN rules in force and models table: commissioners were used before the 2016 rule "
         "(Doncaster: the 2013 review preceded the trust; 003 case study 3)"},
        {IMV_RULE_TRUSTS, "trusts", "2013-01",
         "DOMAIN rules in force and models table: the first children's services trust was directed "
         "after Doncaster's 2013 review (live September 2014; 003 case study 3)"},
    };
    return i >= 0 && i < IMV_RULE_COUNT ? &rules[i] : NULL;
}

/* 1 when the rule (an IMV_RULE_* bit) is in force at the profile's date. */
static inline int imv_rule_in_force(const imv_profile_view *p, unsigned rule)
{
    return IMV_VIEW_HAS(p, rules_in_force) && (p->rules_in_force & rule) != 0;
}

/* The evidence text of a rule (an IMV_RULE_* bit), "" when unknown. */
static inline const char *imv_rule_evidence(unsigned rule)
{
    for (int i = 0; i < IMV_RULE_COUNT; i++)
        if (imv_rule(i)->bit == rule)
            return imv_rule(i)->evidence;
    return "";
}

/* How far the commissioner rule (persistent or systemic failure) weighs
 * at the profile's date: in full from 2016 (the rule); from 2013, when
 * commissioners' reviews were already used in practice (Le Grand's 2013
 * review of Doncaster, 003 case study 3), IMV_RULE_WEIGHT_PRACTICE; before
 * that, with only the general power of direction (000, 004),
 * IMV_RULE_WEIGHT_EARLY.  *regime (when not NULL) gets the clause a
 * reason cites. */
#define IMV_RULE_WEIGHT_PRACTICE 0.6
#define IMV_RULE_WEIGHT_EARLY 0.25

static inline double imv_commissioner_weight(const imv_profile_view *p, const char **regime)
{
    const char *t;
    double w;
    if (imv_rule_in_force(p, IMV_RULE_COMMISSIONER)) {
        w = 1;
        t = "the rule since 2016";
    } else if (imv_rule_in_force(p, IMV_RULE_COMMISSIONER_REVIEWS)) {
        w = IMV_RULE_WEIGHT_PRACTICE;
        t = "before the 2016 rule, commissioners' reviews were already used for it (from Le Grand's 2013 review of Doncaster)";
    } else {
        w = IMV_RULE_WEIGHT_EARLY;
        t = "before 2013 there was no commissioner practice, only the general power of direction";
    }
    if (regime)
        *regime = t;
    return w;
}

/* The rule facts of a profile in the form a model's reasons use, read
 * from the view (the engine decided them once: core/facts.c); nothing
 * here is decided again. */
typedef struct imv_rule_facts {
    int persistent;              /* 1 yes, 0 no, -1 an earlier inadequate is undated */
    int persistent_year;         /* the current judgement's year, when persistent is 1 */
    int persistent_earlier_year; /* the earlier inadequate judgement's year */
    int systemic;                /* 1 yes, 0 no, -1 no key judgement given */
    int n_key;                   /* key judgements given */
    imv_iv_status status;        /* the intervention in place */
    double months;               /* in place, IMV_UNKNOWN when none or unknown */
    char why[400];               /* imv_intervention_why ("" in score-only calls) */
    double commissioner_weight;  /* imv_commissioner_weight */
    const char *regime;
} imv_rule_facts;

static inline void imv_rule_facts_of_view(const imv_profile_view *p, imv_rule_facts *out)
{
    /* Not the whole of why: clearing its 400 bytes was a third of a
     * score-only call's own work, and it is read only up to its NUL. */
    memset(out, 0, offsetof(imv_rule_facts, why));
    out->why[0] = '\0';
    out->months = p->intervention_model ? p->intervention_months : IMV_UNKNOWN;
    out->status = p->intervention_model ? IMV_IV_STATUS_UNKNOWN : IMV_IV_STATUS_NONE;
    out->systemic = -1;
    out->commissioner_weight = imv_commissioner_weight(p, &out->regime);
    if (!IMV_VIEW_HAS(p, rules_in_force))
        return; /* an engine before ABI 2.1: no facts */
    out->persistent = p->persistent_failure == IMV_FACT_YES       ? 1
                      : p->persistent_failure == IMV_FACT_UNDATED ? -1
                                                                  : 0;
    if (out->persistent == 1) {
        out->persistent_year = imv_year(p->inspected);
        out->persistent_earlier_year = imv_year(p->persistent_since);
    }
    out->systemic = p->systemic_failure == IMV_FACT_YES       ? 1
                    : p->systemic_failure == IMV_FACT_UNKNOWN ? -1
                                                              : 0;
    for (uint32_t b = p->key_judgements_given; b; b &= b - 1)
        out->n_key++;
    if (imv_has_status(p)) {
        out->status = p->intervention_status;
        /* score-only calls (bulk draws) show no text: none is made */
        if (!(p->flags & IMV_VIEW_SCORE_ONLY))
            imv_intervention_why(p, out->why, sizeof out->why);
    }
}

/* 1 when judgement j counts as a key judgement of an inspection on
 * `date` (PROFILE-FORMAT.md: care leavers became one in 2023; adoption is
 * always a sub-judgement).  date is YYYY[-MM[-DD]]. */
static inline int imv_judgement_is_key(int j, const char *date)
{
    if (j == IMV_J_LEADERSHIP || j == IMV_J_HELP_AND_PROTECTION || j == IMV_J_CHILDREN_IN_CARE)
        return 1;
    if (j != IMV_J_CARE_LEAVERS || !date)
        return 0;
    return strncmp(date, "2023", 4) >= 0 && date[0] >= '0' && date[0] <= '9';
}

#ifdef __cplusplus
}
#endif
#endif /* IMEVAL_AUX_H */
