/*
 * uncertainty.h - Monte Carlo over uncertain ratings (and, optionally,
 * model parameters): how robust is a ranking to the judgements behind it?
 */
#ifndef IMV_UNCERTAINTY_H
#define IMV_UNCERTAINTY_H

#include <stdint.h>
#include <stdio.h>

#include "imeval.h"

typedef struct imv_uncertainty {
    size_t draws;
    uint64_t seed;
    int vary_parameters;
    size_t n;              /* models */
    double *mean, *p05, *p95;
    double *viable_share;  /* share of draws in which the model was viable */
    double *rank_prob;     /* n x n: rank_prob[m * n + k] = P(model m ranks k+1) */
} imv_uncertainty;

/* A deterministic random stream (xoshiro256**). */
typedef struct imv_rng {
    uint64_t s[4];
} imv_rng;

void imv_rng_seed(imv_rng *r, uint64_t seed, const char *salt);
double imv_rng_uniform(imv_rng *r);               /* [0, 1) */
/* A draw from the range: uniform, or triangular when it has a mode. */
double imv_range_draw(const imv_range *g, imv_rng *r);

/* Run `draws` draws of e's profile through every model of w and attach
 * the summary to e->uncertainty.  The stream is seeded from seed and the
 * profile's id, so results do not depend on thread count or order. */
int imv_uncertainty_run(imv_worker *w, imv_evaluation *e, size_t draws, uint64_t seed,
                        int vary_parameters);
void imv_uncertainty_free(imv_uncertainty *u);

struct cJSON *imv_uncertainty_json(const imv_uncertainty *u, const imv_evaluation *e);
/* " (first in 93% of draws)" for the recommended model. */
void imv_uncertainty_first_share(const imv_uncertainty *u, const imv_evaluation *e, char *buf,
                                 size_t n);
void imv_uncertainty_table(FILE *f, const imv_uncertainty *u, const imv_evaluation *e);
void imv_uncertainty_model_text(FILE *f, const imv_uncertainty *u, const imv_evaluation *e,
                                size_t model);

#endif
