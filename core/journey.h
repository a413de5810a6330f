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

/* A timeline as a range: low, likely and high months for one leg. */
typedef struct imv_months_range {
    double low, likely, high; /* IMV_UNKNOWN when the model gave none */
} imv_months_range;

typedef struct imv_timeline_range {
    imv_months_range setup, fair, good;
} imv_timeline_range;

struct imv_profile;
struct imv_result;

/* The range around a model's timeline for profile p: the record's spread
 * (DOMAIN: councils that kept control left inadequate in about 2-3.7
 * years; trusts 0.7-4.2 years after going live), as the model's
 * `range_low` / `range_high` ratios when it declares them, widened by what
 * is uncertain or unstable in p (rating ranges of the three slowing
 * factors, workforce instability, agency, vacancy and turnover rates). */
void imv_timeline_range_compute(const struct imv_profile *p, const struct imv_result *r,
                                imv_timeline_range *out);

#endif /* IMEVAL_JOURNEY_H */
