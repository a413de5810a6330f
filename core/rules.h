/*
 * rules.h - the rules in force and the trajectory of an intervention in
 * place, decided once from a profile's dated facts, for every model (through
 * the profile view) and for the monitor.
 *
 * DOMAIN.md, rules in force: persistent failure is "inadequate more than
 * once in five years", systemic failure "inadequate on every key
 * judgement"; an authority still inadequate at the next inspection under
 * an intervention is escalated, one that reaches "requires improvement"
 * with momentum has its notice lifted.  PROFILE-FORMAT.md: a judgement
 * dated after current_intervention.since was made under the intervention;
 * that, with the monitoring findings, is the trajectory.
 */
#ifndef IMV_RULES_H
#define IMV_RULES_H

#include <stddef.h>

/* The trajectory of the intervention in place. */
typedef enum imv_trajectory {
    IMV_TRAJ_NONE,          /* no intervention in place */
    IMV_TRAJ_ON_TRACK,      /* still inadequate, nothing says it is not working */
    IMV_TRAJ_STALLED,       /* re-inspected inadequate after the first year, static findings, or past its time */
    IMV_TRAJ_DETERIORATING, /* a worse judgement or a deteriorating finding under it */
    IMV_TRAJ_IMPROVED,      /* no longer inadequate under it */
    IMV_TRAJ_UNKNOWN        /* no date for the intervention */
} imv_trajectory;

/* Monitoring findings (current_intervention.progress[].finding). */
enum { IMV_FIND_IMPROVING, IMV_FIND_MIXED, IMV_FIND_STATIC, IMV_FIND_DETERIORATING };

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

void imv_rules_compute(const imv_rules_in *in, imv_rules *out);
const char *imv_trajectory_name(imv_trajectory t);
/* The year of a date string, 0 when it does not parse. */
int imv_rules_year(const char *date);

#endif
