/*
 * monitor.h - is an intervention already in place on track?
 *
 * DOMAIN.md: an authority still inadequate past its intervention's
 * expected time is stalling and is escalated (notice -> direction ->
 * commissioner -> removal); one that reaches "requires improvement" with
 * momentum has its notice lifted.
 */
#ifndef IMV_MONITOR_H
#define IMV_MONITOR_H

#include "imeval.h"

typedef enum imv_monitor_status {
    IMV_MON_NONE,          /* no intervention in place */
    IMV_MON_ON_TRACK,      /* still inadequate, within the expected time */
    IMV_MON_STALLING,      /* still inadequate, past the expected time */
    IMV_MON_IMPROVED,      /* no longer inadequate: consider stepping down */
    IMV_MON_UNKNOWN        /* no dates, or the model is not loaded */
} imv_monitor_status;

typedef struct imv_monitor {
    imv_monitor_status status;
    const char *model;           /* the intervention in place (borrowed) */
    double months;               /* since it started, or IMV_UNKNOWN */
    double expected_months;      /* when it should have left inadequate */
    const char *escalate_to;     /* model id to move to, or NULL */
    const char *reason;          /* the model's own unmet precondition, or NULL */
} imv_monitor;

/* Assess e's current intervention against e's own results. */
void imv_monitor_assess(const imv_evaluation *e, imv_monitor *out);
const char *imv_monitor_status_name(imv_monitor_status s);
/* One sentence for people, e.g. "improvement_board in place for 30 months,
 * expected 24: stalling; escalate to commissioner". */
void imv_monitor_sentence(const imv_monitor *m, char *buf, size_t n);

#endif
