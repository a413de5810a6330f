/*
 * monitor.h - is an intervention already in place working?  And when the
 * commissioner comes first, what is its review likely to recommend?
 *
 * DOMAIN.md, rules in force: an authority still inadequate at the next
 * inspection under an intervention is escalated (notice -> direction ->
 * commissioner -> removal); one that reaches "requires improvement" with
 * momentum has its notice lifted.  The status is the engine's one decision
 * on the intervention in place (core/facts.c, imv_facts_status, which every
 * model reads from its view): judgements and monitoring findings since it
 * began, with the months in place one signal among them.
 */
#ifndef IMV_MONITOR_H
#define IMV_MONITOR_H

#include "imeval.h"

typedef enum imv_monitor_status {
    IMV_MON_NONE,          /* no intervention in place */
    IMV_MON_ON_TRACK,      /* still inadequate, and nothing says it is not working */
    IMV_MON_STALLING,      /* stalled: re-inspected inadequate, static findings, or past its time */
    IMV_MON_IMPROVED,      /* no longer inadequate: consider stepping down */
    IMV_MON_UNKNOWN,       /* no dates, or the model is not loaded */
    IMV_MON_DETERIORATING, /* worse under it than when it began */
    IMV_MON_REVIEWED       /* a commissioner in place whose review is done: act on it */
} imv_monitor_status;

typedef struct imv_monitor {
    imv_monitor_status status;
    const char *model;       /* the intervention in place (borrowed) */
    double months;           /* since it started, or IMV_UNKNOWN */
    double expected_months;  /* when it should have left inadequate */
    const char *escalate_to; /* model id to move to, or NULL */
    const char *reason;      /* the model's own unmet precondition, or NULL */
    char why[400];           /* what decided the status */
} imv_monitor;

/* Assess e's current intervention against e's own results. */
void imv_monitor_assess(const imv_evaluation *e, imv_monitor *out);
const char *imv_monitor_status_name(imv_monitor_status s);
/* One sentence for people, e.g. "improvement_board in place for 30 months,
 * re-inspected inadequate 16 months in: stalling; escalate to commissioner". */
void imv_monitor_sentence(const imv_monitor *m, char *buf, size_t n);

/* The likely outcome of a commissioner's review (DOMAIN what happened:
 * where a commissioner found capacity and commitment the council kept
 * control, often reaching good; denial or corporate failure led to
 * removal). */
typedef enum imv_outlook_kind {
    IMV_OUTLOOK_NONE,         /* the commissioner does not come first */
    IMV_OUTLOOK_KEEP_CONTROL, /* keep control with support (board, peer partner) */
    IMV_OUTLOOK_PARTNERSHIP,  /* keep control through a partnership with a strong council */
    IMV_OUTLOOK_REMOVAL       /* removal to a trust */
} imv_outlook_kind;

#define IMV_OUTLOOK_MAX_REASONS 6

typedef struct imv_outlook {
    imv_outlook_kind kind;
    const char *model; /* the model it points to, or NULL */
    size_t n_reasons;
    char reasons[IMV_OUTLOOK_MAX_REASONS][300];
} imv_outlook;

/* Fill out when e recommends the commissioner, or a commissioner in place
 * has done its review (monitor status reviewed: the outlook is then what
 * that review is likely to have recommended); else kind NONE. */
void imv_outlook_assess(const imv_evaluation *e, imv_outlook *out);
const char *imv_outlook_name(imv_outlook_kind k);
/* "likely outcome of the review: keep control with support (...)". */
void imv_outlook_sentence(const imv_outlook *o, char *buf, size_t n);

#endif
