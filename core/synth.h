/*
 * synth.h - realistic synthetic authority profiles, for benchmarks, stress
 * tests and fuzz corpora.
 *
 * Profile i of seed s is a function of (s, i) alone, so `--count 10` is a
 * prefix of `--count 1000` and generation could be split over threads.
 * Each line is one JSON object of PROFILE-FORMAT.md (JSON Lines).
 *
 * The model behind the numbers (see synth.c): the Ofsted grade is drawn
 * from the mix of the 78 authorities inspected 2012-2016 (20 inadequate,
 * 41 requires improvement, 17 good), exactly in every block of 78; a latent
 * "capacity" factor, lower for worse grades, drives leadership, governance,
 * self-assessment and workforce ratings; a "political" factor correlated
 * with it drives political and corporate commitment and acceptance;
 * failure_extent runs against capacity.  Some ratings are ranges, some
 * profiles carry facts, partner councils or a current intervention.
 */
#ifndef IMV_SYNTH_H
#define IMV_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The grade mix of the seeds: per block of IMV_SYNTH_BLOCK profiles. */
#define IMV_SYNTH_BLOCK 78
#define IMV_SYNTH_INADEQUATE 20
#define IMV_SYNTH_RI 41
#define IMV_SYNTH_GOOD 17

typedef struct imv_synth imv_synth;

/* A generator for seed.  Never NULL (aborts on exhaustion). */
imv_synth *imv_synth_new(uint64_t seed);
void imv_synth_free(imv_synth *g);

/* Profile number index as one line of JSON without the newline.  The
 * text belongs to g and is valid until the next call; *len gets its
 * length when len is not NULL. */
const char *imv_synth_profile(imv_synth *g, uint64_t index, size_t *len);

/* Write profiles first..first+count-1 to f, one a line.  Returns 0, or
 * IMV_EIO when writing failed (e.g. a closed pipe). */
int imv_synth_write(FILE *f, uint64_t seed, uint64_t first, uint64_t count);

#endif
