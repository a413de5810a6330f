/*
 * chart.h - charts as inline SVG, written by imeval itself: scales, axes,
 * text escaping and the six chart kinds of the adviser's report (issue
 * 12).  `imeval report` puts them in its HTML; `imeval serve` serves the
 * same fragments.
 *
 * Every chart is one <svg role="img"> element that is well-formed XML on
 * its own, with a <title> and a <desc> (named by aria-labelledby), a
 * viewBox so it scales, no script, no external reference and no font it
 * does not name.  Each mark carries its numbers in data- attributes
 * (data-key names the model or rating, then data-score, data-share, ...)
 * so a test can compare the picture with the JSON result.  Colours are
 * the Okabe-Ito colour-blind-safe set and a single-hue ramp for ordered
 * series, chosen so that every series also differs in lightness (they
 * read in greyscale); values are also written as text where they fit.
 *
 * Strings are copied into the output escaped (imv_chart_escape); numbers
 * that are NaN mean "none" (no interval, no tipping point).  Output goes
 * to a FILE (open_memstream gives a string); write errors are left in the
 * FILE's error flag for the caller to check once.
 */
#ifndef IMV_CHART_H
#define IMV_CHART_H

#include <stddef.h>
#include <stdio.h>

/* ---- text -------------------------------------------------------------- */

/* Write s as XML/HTML character data safe in text and in attribute values
 * (quoted with "): & < > " ' escaped; control characters, bytes that are
 * not UTF-8 and the invisible bidirectional controls (U+200E/F, U+202A-E,
 * U+2066-9, U+061C) are written visibly as [U+XXXX] so that a name cannot
 * reorder or hide the text around it.  At most max_chars characters are
 * written (0: no limit), then an ellipsis. */
void imv_chart_escape(FILE *f, const char *s, size_t max_chars);

/* A number as the JSON result prints it ("59.5", "0.4915", "3"). */
void imv_chart_num(char *buf, size_t n, double v);

/* ---- scales ------------------------------------------------------------ */

typedef struct imv_chart_scale {
    double d0, d1; /* domain */
    double r0, r1; /* range in SVG units */
} imv_chart_scale;

/* The position of v (clamped to the domain). */
double imv_chart_map(const imv_chart_scale *s, double v);
/* "Nice" ticks (1, 2, 2.5 or 5 times a power of ten) covering [lo, hi],
 * at most max of them, into out; returns how many. */
size_t imv_chart_ticks(double lo, double hi, size_t max, double *out);
/* Widen [*lo, *hi] to nice tick values. */
void imv_chart_nice(double *lo, double *hi);

/* ---- common ------------------------------------------------------------ */

/* What every chart has: a page-unique id (for aria and pattern ids:
 * letters, digits, '-' only), a headline title (the message) and a
 * description (what is plotted), both plain text. */
typedef struct imv_chart_meta {
    const char *id;
    const char *title;
    const char *desc;
    const char *axis; /* axis label, e.g. "score (0-100)" */
} imv_chart_meta;

/* The palette: Okabe-Ito (categorical) and the ramp for ordered series
 * (dark to light, n steps).  text_on gives black or white, whichever
 * reads on fill. */
const char *imv_chart_colour(size_t i);
const char *imv_chart_ramp(size_t i, size_t n);
const char *imv_chart_text_on(const char *fill);

/* ---- the chart kinds --------------------------------------------------- */

/* Dot and interval: one row per item, sorted as given; a dot at value,
 * a bar from lo to hi, a tick at mean; hollow dots for non-viable items.
 * data-score, data-p05, data-p95, data-mean on the marks. */
typedef struct imv_chart_dot {
    const char *key, *label;
    double value, lo, hi, mean; /* lo/hi/mean NaN when there are no draws */
    int hollow;
} imv_chart_dot;
void imv_chart_dot_interval(FILE *f, const imv_chart_meta *m, const imv_chart_dot *rows, size_t n,
                            double d0, double d1);

/* 100% stacked horizontal bars: row r, series k has share shares[r*ns+k]
 * (0..1).  data-key, data-rank (k+1) and data-share on each segment. */
typedef struct imv_chart_stack {
    const char *key, *label;
} imv_chart_stack;
void imv_chart_stacked100(FILE *f, const imv_chart_meta *m, const imv_chart_stack *rows, size_t n,
                          const double *shares, const char *const *series, size_t ns);

/* Waterfall: from start through each step's signed delta to end; the
 * bars float at the running total.  data-points on the steps, data-score
 * on the start and end bars.  key goes in data-key of every mark. */
typedef struct imv_chart_step {
    const char *label;
    double delta;
} imv_chart_step;
void imv_chart_waterfall(FILE *f, const imv_chart_meta *m, const char *key, const char *start_label,
                         double start, const imv_chart_step *steps, size_t n, const char *end_label,
                         double end);

/* Diverging stacked bars: row r, series k has a signed value
 * values[r*ns+k]; positives stack right of zero, negatives left.
 * data-key, data-series and data-points on each segment. */
void imv_chart_diverging(FILE *f, const imv_chart_meta *m, const imv_chart_stack *rows, size_t n,
                         const double *values, const char *const *series, size_t ns);

/* Tipping points: one row per rating on the scale d0..d1: its value (a
 * dot), its range when uncertain (a band), and the nearest value below
 * and above at which another model would come first (bars from the
 * value, labelled with that model).  data-key, data-value, data-to. */
typedef struct imv_chart_tip {
    const char *key, *label;
    double value, lo, hi; /* lo/hi NaN when not a range */
    double down, up;      /* NaN when none */
    const char *down_label, *up_label;
} imv_chart_tip;
void imv_chart_tipping(FILE *f, const imv_chart_meta *m, const imv_chart_tip *rows, size_t n,
                       double d0, double d1);

/* Timeline lanes: row r has phases ending at ends[r*np+k] (months from
 * the decision; each phase starts where the previous ends, the first at
 * 0; NaN when the model cannot say), with optional ranges lo/hi per end
 * (NULL or NaN for none).  data-key, data-phase, data-start, data-end. */
void imv_chart_timeline(FILE *f, const imv_chart_meta *m, const imv_chart_stack *rows, size_t n,
                        const double *ends, const double *lo, const double *hi,
                        const char *const *phases, size_t np);

#endif
