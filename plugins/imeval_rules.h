/*
 * imeval_rules.h - the rules in force and the trajectory of an intervention
 * in place, decided once from a profile's dated facts.  Header-only, built
 * only on imeval_plugin.h, so that the engine's monitor (core/monitor.c),
 * the C models and the Lua `imeval` library all decide them with the same
 * code: one rule, one date logic.
 *
 * DOMAIN.md, rules in force: persistent failure is "inadequate more than
 * once in five years", systemic failure "inadequate on every key
 * judgement"; an authority still inadequate at the next inspection under
 * an intervention is escalated, one that reaches "requires improvement"
 * with momentum has its notice lifted.  PROFILE-FORMAT.md: a judgement
 * dated after current_intervention.since was made under the intervention;
 * that, with the monitoring findings, is the trajectory.
 */
#ifndef IMEVAL_RULES_H
#define IMEVAL_RULES_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "imeval_plugin.h"

/* The trajectory of the intervention in place. */
typedef enum imv_trajectory {
    IMV_TRAJ_NONE,          /* no intervention in place */
    IMV_TRAJ_ON_TRACK,      /* still inadequate, nothing says it is not working */
    IMV_TRAJ_STALLED,       /* re-inspected inadequate after the first year, static findings, or past its time */
    IMV_TRAJ_DETERIORATING, /* a worse judgement or a deteriorating finding under it */
    IMV_TRAJ_IMPROVED,      /* no longer inadequate under it */
    IMV_TRAJ_UNKNOWN        /* no date for the intervention */
} imv_trajectory;

/* Monitoring findings (current_intervention.progress[].finding), 0-based:
 * the SDK's imv_trend less one (imv_rules_finding converts). */
enum { IMV_FIND_IMPROVING, IMV_FIND_MIXED, IMV_FIND_STATIC, IMV_FIND_DETERIORATING };

/* IMV_FIND_* of an imv_trend (IMV_TREND_IMPROVING ...), -1 for unknown. */
static inline int imv_rules_finding(int trend)
{
    return trend >= IMV_TREND_IMPROVING && trend <= IMV_TREND_DETERIORATING
               ? trend - IMV_TREND_IMPROVING : -1;
}
/* Months an intervention needs before a re-inspection at inadequate says it
 * is not working: 003 ch.1, about six months of diagnostic and six more to
 * stabilise core systems before practice can be expected to move. */
#define IMV_RULES_GRACE_MONTHS 12.0
/* "more than once in five years". */
#define IMV_RULES_PERSISTENT_MONTHS 60.0

/* What the rules read, as plain values so that the core profile and the
 * tests can both fill it.  Dates are YYYY, YYYY-MM or YYYY-MM-DD strings. */
typedef struct imv_rules_in {
    const char *as_of;
    int grade;                      /* imv_grade */
    const char *inspected;          /* NULL: as_of */
    size_t n_previous;
    const int *previous;            /* grades, newest first */
    const char *const *previous_date; /* NULL or per item NULL when undated */
    int n_key;                      /* key judgements given */
    int n_key_inadequate;
    const char *model;              /* intervention in place, or NULL */
    const char *since;
    double expected_months;         /* its stall time, IMV_UNKNOWN when unknown */
    size_t n_progress;              /* findings, newest first */
    const int *progress_finding;
    const char *const *progress_date;
} imv_rules_in;

typedef struct imv_rules {
    /* Persistent failure: 1 inadequate now and at another judgement within
     * five years before it; 0 not; -1 an earlier inadequate judgement is
     * undated, so it cannot be decided. */
    int persistent;
    int persistent_year, persistent_earlier_year; /* for the text; 0 unknown */
    /* Systemic failure: 1 every key judgement given is inadequate (two at
     * least); 0 not; -1 no key judgements given. */
    int systemic;
    int n_key, n_key_inadequate;
    /* The trajectory of the intervention in place, and its signals. */
    imv_trajectory trajectory;
    double months;                  /* in place, IMV_UNKNOWN when unknown */
    int baseline_grade;             /* last judgement before it began, -1 unknown */
    int reinspected_inadequate;     /* a judgement under it after the grace months is inadequate */
    double reinspected_months;      /* months in at that judgement */
    int fell;                       /* a judgement under it is worse than the baseline */
    int latest_finding;             /* newest finding, -1 none */
    int past_expected;              /* in place past expected_months, still inadequate */
    char why[400];                  /* one clause: what decided the trajectory */
} imv_rules;



/* Months since year 0 of YYYY, YYYY-MM or YYYY-MM-DD, or IMV_UNKNOWN when
 * the date is missing or does not parse (the engine has checked profile
 * dates already).  A bare year is mid-year and a bare month mid-month, as
 * in the engine's own date arithmetic. */
static inline double imv_rules_month(const char *date)
{
    if (!date)
        return IMV_UNKNOWN;
    size_t n = strlen(date);
    if (n != 4 && n != 7 && n != 10)
        return IMV_UNKNOWN;
    for (size_t i = 0; i < n; i++)
        if ((i == 4 || i == 7) ? date[i] != '-' : (date[i] < '0' || date[i] > '9'))
            return IMV_UNKNOWN;
    int y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
    int m = n >= 7 ? (date[5] - '0') * 10 + (date[6] - '0') : 0;
    int d = n == 10 ? (date[8] - '0') * 10 + (date[9] - '0') : 0;
    double mm = m ? m - 1 : 5.5;
    double dd = d ? (d - 1) / 30.0 : (m ? 0.5 : 0);
    return y * 12.0 + mm + dd;
}

static inline const char *imv_rules_grade_name(int g)
{
    static const char *const names[] = {"outstanding", "good", "requires_improvement",
                                        "inadequate", "not_inspected"};
    return g >= 0 && g < IMV_G_COUNT ? names[g] : "?";
}

static inline int imv_rules_year(const char *date)
{
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (!date || date[i] < '0' || date[i] > '9')
            return 0;
        y = y * 10 + (date[i] - '0');
    }
    return y;
}

static inline const char *imv_rules_prev_date(const imv_rules_in *in, size_t i)
{
    return in->previous_date ? in->previous_date[i] : NULL;
}

static inline void imv_rules_persistent(const imv_rules_in *in, imv_rules *out)
{
    const char *now = in->inspected ? in->inspected : in->as_of;
    double at = imv_rules_month(now);
    out->persistent = 0;
    if (in->grade != IMV_G_INADEQUATE)
        return;
    for (size_t i = 0; i < in->n_previous; i++) {
        if (in->previous[i] != IMV_G_INADEQUATE)
            continue;
        double then = imv_rules_month(imv_rules_prev_date(in, i));
        if (then == IMV_UNKNOWN || at == IMV_UNKNOWN) {
            out->persistent = -1;
            continue;
        }
        if (at - then <= IMV_RULES_PERSISTENT_MONTHS) {
            out->persistent = 1;
            out->persistent_year = imv_rules_year(now);
            out->persistent_earlier_year = imv_rules_year(imv_rules_prev_date(in, i));
            return;
        }
    }
}

static inline void imv_rules_systemic(const imv_rules_in *in, imv_rules *out)
{
    out->n_key = in->n_key;
    out->n_key_inadequate = in->n_key_inadequate;
    if (in->n_key == 0)
        out->systemic = -1;
    else
        out->systemic = in->grade == IMV_G_INADEQUATE && in->n_key >= 2
                        && in->n_key_inadequate == in->n_key;
}

/* Grades run best (0) to worst; not_inspected is not comparable. */
static inline int imv_rules_worse(int a, int b)
{
    return a < IMV_G_NOT_INSPECTED && b < IMV_G_NOT_INSPECTED && a > b;
}

/* The judgements: the current one and the dated previous ones, each placed
 * before or under the intervention. */
static inline void imv_rules_judgements(const imv_rules_in *in, imv_rules *out, double since)
{
    double at = imv_rules_month(in->inspected);
    out->baseline_grade = -1;
    /* Without ofsted.inspected the judgement is taken to be the one the
     * intervention followed (interventions follow judgements): as_of is
     * the date of the profile, not of a re-inspection. */
    if (at == IMV_UNKNOWN || at <= since) {
        out->baseline_grade = in->grade;
        return;
    }
    /* The current judgement was made under the intervention. */
    for (size_t i = 0; i < in->n_previous; i++) {
        double then = imv_rules_month(imv_rules_prev_date(in, i));
        if (then == IMV_UNKNOWN)
            break;                  /* undated: the baseline cannot be placed */
        if (then <= since) {
            out->baseline_grade = in->previous[i];
            break;
        }
        if (in->previous[i] == IMV_G_INADEQUATE && then - since >= IMV_RULES_GRACE_MONTHS
            && !out->reinspected_inadequate) {
            out->reinspected_inadequate = 1;
            out->reinspected_months = then - since;
        }
    }
    if (out->baseline_grade >= 0 && imv_rules_worse(in->grade, out->baseline_grade))
        out->fell = 1;
    if (in->grade == IMV_G_INADEQUATE && at - since >= IMV_RULES_GRACE_MONTHS) {
        out->reinspected_inadequate = 1;
        out->reinspected_months = at - since;
    }
}

/* 1 when a finding dated at or after the re-inspection says improving: the
 * inspectors themselves saw it moving (003 case study 3: Doncaster 2015). */
static inline int imv_rules_improving_since(const imv_rules_in *in, double since, double months)
{
    for (size_t i = 0; i < in->n_progress; i++) {
        double d = imv_rules_month(in->progress_date[i]);
        if (in->progress_finding[i] == IMV_FIND_IMPROVING && d != IMV_UNKNOWN
            && d - since >= months - 0.5)
            return 1;
    }
    return 0;
}

static inline void imv_rules_decide(const imv_rules_in *in, imv_rules *out, double since)
{
    static const char *const finding[] = {"improving", "mixed", "static", "deteriorating"};
    const char *g0 = out->baseline_grade >= 0 ? imv_rules_grade_name(out->baseline_grade) : "?";
    if (in->grade != IMV_G_INADEQUATE && in->grade != IMV_G_NOT_INSPECTED && !out->fell) {
        out->trajectory = IMV_TRAJ_IMPROVED;
        snprintf(out->why, sizeof out->why, "judged %s", imv_rules_grade_name(in->grade));
        return;
    }
    if (out->fell) {
        out->trajectory = IMV_TRAJ_DETERIORATING;
        snprintf(out->why, sizeof out->why, "fallen from %s to %s under it", g0,
                 imv_rules_grade_name(in->grade));
        return;
    }
    if (out->latest_finding == IMV_FIND_DETERIORATING) {
        out->trajectory = IMV_TRAJ_DETERIORATING;
        snprintf(out->why, sizeof out->why, "the latest monitoring finding (%s) is deteriorating",
                 in->progress_date[0]);
        return;
    }
    int rescued = out->reinspected_inadequate
                  && imv_rules_improving_since(in, since, out->reinspected_months);
    if (out->reinspected_inadequate && !rescued) {
        out->trajectory = IMV_TRAJ_STALLED;
        snprintf(out->why, sizeof out->why, "re-inspected inadequate %.0f months in",
                 out->reinspected_months);
        return;
    }
    if (out->latest_finding == IMV_FIND_STATIC) {
        out->trajectory = IMV_TRAJ_STALLED;
        snprintf(out->why, sizeof out->why, "the latest monitoring finding (%s) is static",
                 in->progress_date[0]);
        return;
    }
    /* Months are one signal: they decide only when no finding says the
     * service is improving. */
    if (out->past_expected && out->latest_finding != IMV_FIND_IMPROVING && !rescued) {
        out->trajectory = IMV_TRAJ_STALLED;
        snprintf(out->why, sizeof out->why, "%.0f months in, past the expected %.0f, still inadequate",
                 out->months, in->expected_months);
        return;
    }
    out->trajectory = IMV_TRAJ_ON_TRACK;
    if (rescued)
        snprintf(out->why, sizeof out->why, "re-inspected inadequate %.0f months in, but found improving",
                 out->reinspected_months);
    else if (out->latest_finding >= 0)
        snprintf(out->why, sizeof out->why, "the latest monitoring finding (%s) is %s%s",
                 in->progress_date[0], finding[out->latest_finding],
                 out->past_expected ? ", though past its expected time" : "");
    else
        snprintf(out->why, sizeof out->why, "%.0f months in, no judgement or finding against it",
                 out->months);
}

static inline void imv_rules_trajectory(const imv_rules_in *in, imv_rules *out)
{
    out->trajectory = IMV_TRAJ_NONE;
    out->months = IMV_UNKNOWN;
    out->baseline_grade = -1;
    out->latest_finding = -1;
    if (!in->model)
        return;
    double since = imv_rules_month(in->since);
    if (since == IMV_UNKNOWN) {
        out->trajectory = IMV_TRAJ_UNKNOWN;
        snprintf(out->why, sizeof out->why, "no start date");
        return;
    }
    {
        double now = imv_rules_month(in->as_of);
        out->months = now == IMV_UNKNOWN ? IMV_UNKNOWN : (now > since ? now - since : 0);
    }
    imv_rules_judgements(in, out, since);
    if (in->n_progress)
        out->latest_finding = in->progress_finding[0];
    out->past_expected = in->grade == IMV_G_INADEQUATE && in->expected_months != IMV_UNKNOWN
                         && out->months != IMV_UNKNOWN && out->months >= in->expected_months;
    imv_rules_decide(in, out, since);
}

static inline void imv_rules_compute(const imv_rules_in *in, imv_rules *out)
{
    memset(out, 0, sizeof *out);
    imv_rules_persistent(in, out);
    imv_rules_systemic(in, out);
    imv_rules_trajectory(in, out);
}

static inline const char *imv_trajectory_name(imv_trajectory t)
{
    /* "stalling" is the name the result JSON has used since version 1. */
    static const char *const names[] = {"none", "on_track", "stalling", "deteriorating",
                                        "improved", "unknown"};
    return names[t];
}

/* ---- the rules of a date ---------------------------------------------- */

/* DOMAIN rules in force: since 2016 a commissioner for persistent or
 * systemic failure.  Commissioners were used before the rule too: Le
 * Grand's 2013 review of Doncaster (003 case study 3) and the reviews of
 * 2013-2015 that DOMAIN's record describes.  Before 2013 the tool was a
 * direction to have the service run by someone else (000, 004). */
#define IMV_RULES_COMMISSIONER_YEAR 2016
#define IMV_RULES_FIRST_REVIEW_YEAR 2013
/* The first children's services trust: Doncaster, directed after the 2013
 * review, live September 2014 (003 case study 3). */
#define IMV_RULES_FIRST_TRUST_YEAR 2013
/* How far the commissioner rule applies at each date: in full from 2016;
 * in practice, as a discretionary review, from 2013; before that only as
 * the general power of direction. */
#define IMV_RULES_WEIGHT_PRACTICE 0.6
#define IMV_RULES_WEIGHT_EARLY 0.25

/* The weight of the commissioner rule (persistent and systemic failure) at
 * a date, with a clause saying which regime it is for the reason's text. */
static inline double imv_rules_commissioner_weight(const char *as_of, const char **regime)
{
    int y = imv_rules_year(as_of);
    const char *t;
    double w;
    if (y >= IMV_RULES_COMMISSIONER_YEAR) {
        w = 1;
        t = "the rule since 2016";
    } else if (y >= IMV_RULES_FIRST_REVIEW_YEAR) {
        w = IMV_RULES_WEIGHT_PRACTICE;
        t = "before the 2016 rule, commissioners' reviews were already used for it (from Le Grand's 2013 review of Doncaster)";
    } else {
        w = IMV_RULES_WEIGHT_EARLY;
        t = "before 2013 there was no commissioner practice, only the general power of direction";
    }
    if (regime)
        *regime = t;
    return w;
}

/* ---- from a plugin's view ---------------------------------------------- */

#define IMV_RULES_MAX_PREVIOUS 32
#define IMV_RULES_MAX_PROGRESS 64

/* Care leavers became a key judgement of its own in 2023 (PROFILE-FORMAT). */
#define IMV_RULES_CARE_LEAVERS_KEY_YEAR 2023

/* How many key judgements were given, and how many were inadequate:
 * leadership, help and protection, children in care, and care leavers from
 * 2023 (inspected at `date`); sub-judgements do not count. */
static inline void imv_rules_key_judgements(unsigned present, const imv_grade *j,
                                            const char *date, int *n_key, int *n_inadequate)
{
    *n_key = *n_inadequate = 0;
    for (int k = 0; k < IMV_J_COUNT; k++) {
        int key = k == IMV_J_LEADERSHIP || k == IMV_J_HELP_AND_PROTECTION
                  || k == IMV_J_CHILDREN_IN_CARE
                  || (k == IMV_J_CARE_LEAVERS
                      && imv_rules_year(date) >= IMV_RULES_CARE_LEAVERS_KEY_YEAR);
        if (!key || !((present >> k) & 1u))
            continue;
        (*n_key)++;
        if (j[k] == IMV_G_INADEQUATE)
            (*n_inadequate)++;
    }
}

/* The rules of the profile a model is scoring.  The model in place is
 * expected to take my_stall months when it is my_id (a model knows its own
 * stall_months, as set), else the engine's figure for it (the view's
 * intervention_expected_months). */
static inline void imv_rules_of_view(const imv_profile_view *p, const char *my_id, double my_stall,
                                     imv_rules *out)
{
    int prev[IMV_RULES_MAX_PREVIOUS];
    int findings[IMV_RULES_MAX_PROGRESS];
    size_t n = p->n_previous < IMV_RULES_MAX_PREVIOUS ? p->n_previous : IMV_RULES_MAX_PREVIOUS;
    for (size_t i = 0; i < n; i++)
        prev[i] = p->previous[i];
    int mine = p->intervention_model && my_id && strcmp(p->intervention_model, my_id) == 0;
    imv_rules_in in = {
        .as_of = p->as_of, .grade = p->grade, .n_previous = n, .previous = prev,
        .model = p->intervention_model, .since = p->intervention_since,
        .expected_months = mine ? my_stall : p->intervention_expected_months,
    };
    /* The dated facts came with ABI 2.1: an older engine's view has none,
     * and the rules then read the grades undated.  The view's `inspected`
     * falls back to as_of; only a date given as ofsted.inspected places the
     * current judgement under the intervention. */
    const char *dates[IMV_RULES_MAX_PROGRESS];
    if (IMV_VIEW_HAS(p, progress)) {
        in.inspected = p->inspected && p->inspected != p->as_of && p->as_of
                               && strcmp(p->inspected, p->as_of) != 0
                           ? p->inspected : NULL;
        in.previous_date = p->previous_dates;
        if (p->judgements)
            imv_rules_key_judgements(p->judgements_present, p->judgements,
                                     p->inspected ? p->inspected : p->as_of, &in.n_key,
                                     &in.n_key_inadequate);
        size_t np = p->n_progress < IMV_RULES_MAX_PROGRESS ? p->n_progress : IMV_RULES_MAX_PROGRESS;
        for (size_t i = 0; i < np; i++) {
            dates[i] = p->progress[i]->date;
            findings[i] = imv_rules_finding((int)p->progress[i]->finding);
        }
        in.n_progress = np;
        in.progress_finding = findings;
        in.progress_date = dates;
    }
    imv_rules_compute(&in, out);
}

#endif /* IMEVAL_RULES_H */
