/*
 * uncertainty.h - private: the Monte Carlo run in pieces (core/run.c
 * spreads one profile's draws over threads) and the renderers output.c
 * calls.  The public half (imv_uncertainty, imv_uncertainty_run) is in
 * imeval.h.
 */
#ifndef IMV_UNCERTAINTY_H
#define IMV_UNCERTAINTY_H

#include <stdint.h>
#include <stdio.h>

#include "imeval.h"

/* The same run in pieces, so that the draws of one profile can be spread
 * over threads (core/run.c does).  imv_mc_new returns NULL when there is
 * nothing to draw (no draws or no models); the registry and profile must
 * outlive it.  The draws are split into imv_mc_chunks() chunks; each call
 * of imv_mc_run scores chunks [first, first+count) with w, and calls on
 * disjoint ranges may run at once on different threads (each with its own
 * worker).  Once every chunk has run, imv_mc_finish returns the summary
 * (caller frees), or NULL when the scores did not fit in memory. */
typedef struct imv_mc imv_mc;
imv_mc *imv_mc_new(imv_registry *reg, const imv_profile *p, size_t draws, uint64_t seed,
                   int vary_parameters);
/* Draw every rating given as a point v from a triangle v-noise..v..v+noise
 * (cut to 0..4); call before imv_mc_chunks.  0 leaves points as points. */
void imv_mc_set_rating_noise(imv_mc *mc, double noise);
size_t imv_mc_chunks(const imv_mc *mc);
void imv_mc_run(imv_mc *mc, imv_worker *w, size_t first, size_t count);
imv_uncertainty *imv_mc_finish(imv_mc *mc);
void imv_mc_free(imv_mc *mc);

struct cJSON *imv_uncertainty_json(const imv_uncertainty *u, const imv_evaluation *e);
/* " (first in 93% of draws)" for the recommended model. */
void imv_uncertainty_first_share(const imv_uncertainty *u, const imv_evaluation *e, char *buf,
                                 size_t n);
void imv_uncertainty_table(FILE *f, const imv_uncertainty *u, const imv_evaluation *e);
void imv_uncertainty_model_text(FILE *f, const imv_uncertainty *u, const imv_evaluation *e,
                                size_t model);

#endif
