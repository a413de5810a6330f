/*
 * sensitivity.h - tipping points: what single change in a rating (or a
 * model parameter) would change which model ranks first.
 *
 * An adviser's ratings are judgements.  For one profile this finds, for
 * each rating, the smallest increase and the smallest decrease that put
 * another model first ("if political_commitment rose from 1.0 to 2.5,
 * improvement_board would rank first"); for each model that is not first,
 * the smallest single-rating change that would bring it first; and which
 * model parameters the first place depends on most.
 *
 * The search: every rating is scanned over 0..4 at a step of 0.01 (one
 * batch of calls per model, through its batch path when it has one), then
 * each change found is bisected to 1e-5 and reported at 0.01, checked at
 * the reported value.  A window of change narrower than the step can be
 * missed.  Other ratings stay at their point values (the mode, or the
 * midpoint of a range).  Calls are score-only, so a model's viability
 * (unmet preconditions) counts, as in the ranking.
 */
#ifndef IMV_SENSITIVITY_H
#define IMV_SENSITIVITY_H

#include <stddef.h>
#include <stdio.h>

#include "imeval.h"

#define IMV_SENS_NONE ((size_t)-1)

/* A change of one value that puts another model first. */
typedef struct imv_tip {
    int found;            /* 0: no change within the range changes the first */
    double to;            /* the value at which it changes (rounded, checked) */
    size_t first;         /* the model then first (registry index) */
    int first_viable;
} imv_tip;

typedef struct imv_rating_sens {
    double value;         /* the point value */
    int uncertain;        /* the profile gives a range */
    double low, high;     /* the range, when uncertain */
    imv_tip up, down;     /* smallest increase, smallest decrease */
} imv_rating_sens;

/* What it takes for a model that is not first to come first. */
typedef struct imv_model_tip {
    int found;
    int rating;           /* the rating to change */
    double to;            /* to this value (from ratings[rating].value) */
    size_t n_options;     /* every rating that could do it, nearest first */
    struct {
        int rating;
        double to;
    } options[IMV_R_COUNT];
} imv_model_tip;

typedef struct imv_param_sens {
    size_t model, param;
    double value, min, max;
    imv_tip tip;          /* the nearest value that changes the first model */
    double share;         /* share of the range over which the first differs */
    double swing;         /* the model's own score: highest minus lowest over the range */
} imv_param_sens;

typedef struct imv_sensitivity {
    size_t n;             /* models */
    size_t first;         /* first at the point values (registry index) */
    int first_viable;
    size_t second;        /* IMV_SENS_NONE with one model */
    double first_score, margin;  /* margin: first's score minus second's */
    double *score;        /* n: each model's score at the point values (NaN on error) */
    size_t *rank;         /* n: each model's rank, 1-based */
    int *viable;          /* n */
    imv_rating_sens ratings[IMV_R_COUNT];
    imv_model_tip *models;       /* n; models[first].found is 0 */
    size_t n_params;
    imv_param_sens *params;      /* most sensitive first */
} imv_sensitivity;

/* Analyse p with the models of w.  Returns IMV_OK and *out (caller frees
 * with imv_sensitivity_free).  A model that fails ranks last, as in an
 * evaluation. */
int imv_sensitivity_run(imv_worker *w, const imv_profile *p, imv_sensitivity **out);
void imv_sensitivity_free(imv_sensitivity *s);

/* The result as JSON (an object for one profile; caller deletes). */
struct cJSON *imv_sensitivity_json(const imv_sensitivity *s, const imv_profile *p,
                                   const imv_registry *reg);
/* The result as text for people. */
void imv_sensitivity_text(FILE *f, const imv_sensitivity *s, const imv_profile *p,
                          const imv_registry *reg);

#endif
