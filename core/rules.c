/* rules.c - persistent and systemic failure, and the trajectory under an
 * intervention, from a profile's dated facts (see rules.h for the rules). */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "rules.h"

/* Months since 1900, or IMV_UNKNOWN when the date is missing or bad. */
static double month_no(const char *date)
{
    return date ? imv_months_between("1900-01", date) : IMV_UNKNOWN;
}

int imv_rules_year(const char *date)
{
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (!date || date[i] < '0' || date[i] > '9')
            return 0;
        y = y * 10 + (date[i] - '0');
    }
    return y;
}

static const char *prev_date(const imv_rules_in *in, size_t i)
{
    return in->previous_date ? in->previous_date[i] : NULL;
}

static void persistent(const imv_rules_in *in, imv_rules *out)
{
    const char *now = in->inspected ? in->inspected : in->as_of;
    double at = month_no(now);
    out->persistent = 0;
    if (in->grade != IMV_G_INADEQUATE)
        return;
    for (size_t i = 0; i < in->n_previous; i++) {
        if (in->previous[i] != IMV_G_INADEQUATE)
            continue;
        double then = month_no(prev_date(in, i));
        if (then == IMV_UNKNOWN || at == IMV_UNKNOWN) {
            out->persistent = -1;
            continue;
        }
        if (at - then <= IMV_RULES_PERSISTENT_MONTHS) {
            out->persistent = 1;
            out->persistent_year = imv_rules_year(now);
            out->persistent_earlier_year = imv_rules_year(prev_date(in, i));
            return;
        }
    }
}

static void systemic(const imv_rules_in *in, imv_rules *out)
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
static int worse(int a, int b)
{
    return a < IMV_G_NOT_INSPECTED && b < IMV_G_NOT_INSPECTED && a > b;
}

/* The judgements: the current one and the dated previous ones, each placed
 * before or under the intervention. */
static void judgements(const imv_rules_in *in, imv_rules *out, double since)
{
    double at = month_no(in->inspected);
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
        double then = month_no(prev_date(in, i));
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
    if (out->baseline_grade >= 0 && worse(in->grade, out->baseline_grade))
        out->fell = 1;
    if (in->grade == IMV_G_INADEQUATE && at - since >= IMV_RULES_GRACE_MONTHS) {
        out->reinspected_inadequate = 1;
        out->reinspected_months = at - since;
    }
}

/* 1 when a finding dated at or after the re-inspection says improving: the
 * inspectors themselves saw it moving (003 case study 3: Doncaster 2015). */
static int improving_since(const imv_rules_in *in, double since, double months)
{
    for (size_t i = 0; i < in->n_progress; i++) {
        double d = month_no(in->progress_date[i]);
        if (in->progress_finding[i] == IMV_FIND_IMPROVING && d != IMV_UNKNOWN
            && d - since >= months - 0.5)
            return 1;
    }
    return 0;
}

static void decide(const imv_rules_in *in, imv_rules *out, double since)
{
    static const char *const finding[] = {"improving", "mixed", "static", "deteriorating"};
    const char *g0 = out->baseline_grade >= 0 ? imv_grade_name(out->baseline_grade) : "?";
    if (in->grade != IMV_G_INADEQUATE && in->grade != IMV_G_NOT_INSPECTED && !out->fell) {
        out->trajectory = IMV_TRAJ_IMPROVED;
        snprintf(out->why, sizeof out->why, "judged %s", imv_grade_name(in->grade));
        return;
    }
    if (out->fell) {
        out->trajectory = IMV_TRAJ_DETERIORATING;
        snprintf(out->why, sizeof out->why, "fallen from %s to %s under it", g0,
                 imv_grade_name(in->grade));
        return;
    }
    if (out->latest_finding == IMV_FIND_DETERIORATING) {
        out->trajectory = IMV_TRAJ_DETERIORATING;
        snprintf(out->why, sizeof out->why, "the latest monitoring finding (%s) is deteriorating",
                 in->progress_date[0]);
        return;
    }
    int rescued = out->reinspected_inadequate
                  && improving_since(in, since, out->reinspected_months);
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

static void trajectory(const imv_rules_in *in, imv_rules *out)
{
    out->trajectory = IMV_TRAJ_NONE;
    out->months = IMV_UNKNOWN;
    out->baseline_grade = -1;
    out->latest_finding = -1;
    if (!in->model)
        return;
    double since = month_no(in->since);
    if (since == IMV_UNKNOWN) {
        out->trajectory = IMV_TRAJ_UNKNOWN;
        snprintf(out->why, sizeof out->why, "no start date");
        return;
    }
    out->months = imv_months_between(in->since, in->as_of);
    judgements(in, out, since);
    if (in->n_progress)
        out->latest_finding = in->progress_finding[0];
    out->past_expected = in->grade == IMV_G_INADEQUATE && in->expected_months != IMV_UNKNOWN
                         && out->months != IMV_UNKNOWN && out->months >= in->expected_months;
    decide(in, out, since);
}

void imv_rules_compute(const imv_rules_in *in, imv_rules *out)
{
    memset(out, 0, sizeof *out);
    persistent(in, out);
    systemic(in, out);
    trajectory(in, out);
}

const char *imv_trajectory_name(imv_trajectory t)
{
    /* "stalling" is the name the result JSON has used since version 1. */
    static const char *const names[] = {"none", "on_track", "stalling", "deteriorating",
                                        "improved", "unknown"};
    return names[t];
}
