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
 *
 * Dates: as_of is drawn uniformly from the years of imv_synth_opts
 * (2012-2016 by default, the years of the grade mix), or fixed by its
 * as_of.  The date never changes the random stream: the same seed and
 * index give the same authority at any date, so `--as-of 2013-01` and
 * `--as-of 2019-01` compare one population under two sets of rules.
 *
 * Partners: of the profiles with candidate partners, about a third lie
 * in a strong neighbourhood (two or three good or outstanding
 * neighbouring councils with spare capacity), as Hampshire and its
 * neighbours were for the Isle of Wight; drawn from a stream of their own
 * so that nothing else in the profile depends on them.
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

/* Candidate partners: at most this many in a profile; the share of
 * lists of candidates that gain a strong neighbourhood. */
#define IMV_SYNTH_MAX_PARTNERS 6
#define IMV_SYNTH_STRONG_SHARE (1.0 / 3)

/* Bytes of JSON a profile takes on average (measured over 10,000 of seed
 * 1: 841), for stating the size of a run before it starts. */
#define IMV_SYNTH_BYTES_PER_PROFILE 850
/* The largest --count the command accepts: about 85 GB of JSON. */
#define IMV_SYNTH_MAX_COUNT 100000000L

/* Years are whole calendar years; as_of, when not NULL, is a date of the
 * profile format (YYYY, YYYY-MM or YYYY-MM-DD) given to every profile. */
typedef struct imv_synth_opts {
    int year_from, year_to;     /* inclusive; 0, 0 for 2012-2016 */
    const char *as_of;          /* copied */
} imv_synth_opts;

/* The earliest and latest year accepted (the rules DOMAIN.md describes
 * run from 2006; a few years either side are allowed). */
#define IMV_SYNTH_YEAR_MIN 2000
#define IMV_SYNTH_YEAR_MAX 2035

typedef struct imv_synth imv_synth;

/* A generator for seed.  Never NULL (aborts on exhaustion). */
imv_synth *imv_synth_new(uint64_t seed);
/* The same with dates from opts (NULL for the defaults).  Returns NULL
 * with a message in err when opts are out of range: years outside
 * IMV_SYNTH_YEAR_MIN..MAX or reversed, or an as_of that is not a date. */
imv_synth *imv_synth_new_opts(uint64_t seed, const imv_synth_opts *opts, char *err,
                              size_t errlen);
/* Parse "YYYY" or "YYYY-YYYY" into opts->year_from/to; 0 or -1 with a
 * message in err. */
int imv_synth_parse_years(const char *s, imv_synth_opts *opts, char *err, size_t errlen);
void imv_synth_free(imv_synth *g);

/* Profile number index as one line of JSON without the newline.  The
 * text belongs to g and is valid until the next call; *len gets its
 * length when len is not NULL. */
const char *imv_synth_profile(imv_synth *g, uint64_t index, size_t *len);

/* Write profiles first..first+count-1 to f, one a line.  Returns 0, or
 * IMV_EIO when writing failed (e.g. a closed pipe). */
int imv_synth_write(FILE *f, uint64_t seed, uint64_t first, uint64_t count);

#endif
