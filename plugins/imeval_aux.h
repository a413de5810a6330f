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

/* A score under construction.  In score-only calls (bulk draws) no reason
 * is built: the sum is all that is wanted. */
typedef struct imv_acc {
    double score;
    imv_result *r;
    const imv_host *h;
    int quiet;                      /* the view is IMV_VIEW_SCORE_ONLY */
} imv_acc;

static inline void imv_acc_init(imv_acc *a, double base, const imv_profile_view *p,
                                imv_result *r, const imv_host *h)
{
    a->score = base;
    a->r = r;
    a->h = h;
    a->quiet = (p->flags & IMV_VIEW_SCORE_ONLY) != 0;
}

/* Show the base score as a reason of its own (issue 11: the largest term
 * must not be invisible).  It rests on no profile field, so its field
 * list is empty. */
static inline void imv_acc_base(imv_acc *a, const char *text, const char *evidence)
{
    if (!a->quiet)
        a->h->add_reason(a->r, "", a->score, text, evidence);
}

/* Add pts to the score, and a reason when the term moves the score by
 * enough to print.  fields: comma-separated JSON paths of the profile. */
static inline void imv_acc_term(imv_acc *a, const char *fields, double pts, const char *if_up,
                                const char *if_down, const char *evidence)
{
    a->score += pts;
    if (a->quiet)
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
    IMV_IV_NONE,          /* no intervention in place */
    IMV_IV_CONTINUING,    /* in place, still inadequate, within its expected time */
    IMV_IV_STALLED,       /* in place, still inadequate, past its expected time */
    IMV_IV_IMPROVED       /* in place and no longer inadequate */
} imv_iv_state;

/* 1 when the model in place is `id`. */
static inline int imv_in_place(const imv_profile_view *p, const char *id)
{
    return p->intervention_model && id && strcmp(p->intervention_model, id) == 0;
}

/* The state of the intervention in place.  Its expected time is
 * my_stall when the model in place is my_id (a model knows its own
 * stall_months, as set), else the engine's figure for the model in place
 * (the view's intervention_expected_months, the same stall_months the
 * monitor uses).  An unknown time or expected time counts as continuing:
 * nothing says it has stalled.  The grade decides "improved" the way the
 * monitor does: anything but inadequate or not inspected. */
static inline imv_iv_state imv_intervention_state(const imv_profile_view *p, const char *my_id,
                                                  double my_stall)
{
    if (!p->intervention_model)
        return IMV_IV_NONE;
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
