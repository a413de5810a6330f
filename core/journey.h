/*
 * journey.h - the baseline improvement journey of report ch.1.
 *
 * The engine exposes this to plugins as host->journey (C) and
 * imeval.journey (Lua).  Models add their own set-up lag on top.
 */
#ifndef IMEVAL_JOURNEY_H
#define IMEVAL_JOURNEY_H

#include "imeval_plugin.h"

/* Months from the decision to "fair" and to "good" for p, before any
 * model's own set-up lag, and the factor applied to the 24/36-month base.
 * Pure: reads only p, writes only *out (out->struct_size is set). */
void imv_journey_compute(const imv_profile_view *p, imv_journey *out);

#endif /* IMEVAL_JOURNEY_H */
