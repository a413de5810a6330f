/*
 * chart.c - SVG charts for the report and the what-if page (chart.h).
 *
 * Layout: every chart is W units wide, a label column on the left, the
 * plot in the middle, room for a value label on the right, one ROW-high
 * band per item, a legend on top when there are series and the axis at
 * the bottom.  Sizes are in SVG user units (CSS pixels at 100%); the
 * HTML scales the svg to the column width, so print follows the viewBox.
 */
#include "chart.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define W 680.0
#define LABEL_W 200.0 /* label column */
#define RIGHT_W 56.0  /* value labels right of the plot */
#define ROW 24.0
#define AXIS_H 34.0
#define LABEL_CHARS 30 /* longer labels are cut; the table has them whole */
#define INK "#1a1a1a"
#define GRID "#d0d0d0"
#define MUTED "#595959" /* 7:1 on white */

/* ---- text ---------------------------------------------------------------- */

/* Decode one UTF-8 character at s (n bytes left); returns its length, or
 * 0 when the bytes are not UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (!len || len > n || s[0] > 0xF4)
        return 0;
    uint32_t c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Characters shown as [U+XXXX]: controls, the invisible bidirectional
 * formatting characters, and the non-characters XML forbids. */
static int shown_as_code(uint32_t c)
{
    return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F) || c == 0x061C ||
           c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xFFFE || c == 0xFFFF;
}

void imv_chart_escape(FILE *f, const char *str, size_t max_chars)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)s), chars = 0;
    while (n) {
        if (max_chars && chars == max_chars) {
            fputs("\xE2\x80\xA6", f); /* ellipsis */
            return;
        }
        uint32_t c;
        size_t len = utf8_decode(s, n, &c);
        if (!len) {
            fputs("&#xFFFD;", f); /* a byte that is not UTF-8 */
            len = 1;
        } else if (shown_as_code(c)) {
            fprintf(f, "[U+%04X]", (unsigned)c);
        } else if (c == '&') {
            fputs("&amp;", f);
        } else if (c == '<') {
            fputs("&lt;", f);
        } else if (c == '>') {
            fputs("&gt;", f);
        } else if (c == '"') {
            fputs("&quot;", f);
        } else if (c == '\'') {
            fputs("&#39;", f);
        } else {
            fwrite(s, 1, len, f);
        }
        s += len;
        n -= len;
        chars++;
    }
}

void imv_chart_num(char *buf, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "null");
        return;
    }
    if (v == 0)
        v = 0; /* no "-0" */
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
}

/* A number attribute: name="value". */
static void num_attr(FILE *f, const char *name, double v)
{
    char b[40];
    imv_chart_num(b, sizeof b, v);
    fprintf(f, " %s=\"%s\"", name, b);
}

static void str_attr(FILE *f, const char *name, const char *v)
{
    fprintf(f, " %s=\"", name);
    imv_chart_escape(f, v, 0);
    fputc('"', f);
}

/* ---- scales -------------------------------------------------------------- */

double imv_chart_map(const imv_chart_scale *s, double v)
{
    if (s->d1 == s->d0)
        return s->r0;
    double lo = s->d0 < s->d1 ? s->d0 : s->d1, hi = s->d0 < s->d1 ? s->d1 : s->d0;
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
}

static double nice_step(double span, size_t max)
{
    if (!(span > 0) || max < 2)
        return 1;
    double raw = span / (double)(max - 1), p = pow(10, floor(log10(raw)));
    static const double m[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= raw)
            return m[i] * p;
    return 10 * p;
}

size_t imv_chart_ticks(double lo, double hi, size_t max, double *out)
{
    if (!(hi > lo) || max == 0) {
        if (max)
            out[0] = lo;
        return max ? 1 : 0;
    }
    double step = nice_step(hi - lo, max);
    size_t k = 0;
    for (double t = ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9 && k < max; t += step)
        out[k++] = fabs(t) < step * 1e-9 ? 0 : t;
    return k;
}

void imv_chart_nice(double *lo, double *hi)
{
    if (!(*hi > *lo)) {
        *lo -= 1;
        *hi += 1;
    }
    double step = nice_step(*hi - *lo, 6);
    *lo = floor(*lo / step + 1e-9) * step;
    *hi = ceil(*hi / step - 1e-9) * step;
}

/* ---- palette ------------------------------------------------------------- */

/* Okabe & Ito (2008), black last; ordered so neighbours differ in lightness. */
static const char *const okabe[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};
/* ColorBrewer Blues, dark to light: ordered, colour-blind safe, greyscale monotonic. */
static const char *const blues[] = {"#08306B", "#08519C", "#2171B5", "#4292C6",
                                    "#6BAED6", "#9ECAE1", "#C6DBEF", "#DEEBF7"};

const char *imv_chart_colour(size_t i)
{
    return okabe[i % (sizeof okabe / sizeof okabe[0])];
}

const char *imv_chart_ramp(size_t i, size_t n)
{
    size_t nb = sizeof blues / sizeof blues[0];
    if (n <= 1)
        return blues[1];
    size_t k = n <= nb ? i : (size_t)((double)i * (double)(nb - 1) / (double)(n - 1) + 0.5);
    return blues[k < nb ? k : nb - 1];
}

static double channel(const char *hex2)
{
    char b[3] = {hex2[0], hex2[1], 0};
    double c = (double)strtol(b, NULL, 16) / 255.0;
    return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* WCAG relative luminance of "#RRGGBB". */
static double luminance(const char *fill)
{
    if (!fill || fill[0] != '#' || strlen(fill) != 7)
        return 1;
    return 0.2126 * channel(fill + 1) + 0.7152 * channel(fill + 3) + 0.0722 * channel(fill + 5);
}

const char *imv_chart_text_on(const char *fill)
{
    double l = luminance(fill);
    /* contrast with white (1.05/(l+.05)) against with black ((l+.05)/.05) */
    return 1.05 / (l + 0.05) > (l + 0.05) / 0.05 ? "#FFFFFF" : "#000000";
}

/* ---- common parts -------------------------------------------------------- */

static void svg_begin(FILE *f, const imv_chart_meta *m, const char *kind, double h)
{
    fprintf(f,
            "<svg class=\"chart\" role=\"img\" data-chart=\"%s\" viewBox=\"0 0 %.0f %.0f\""
            " width=\"%.0f\" height=\"%.0f\" aria-labelledby=\"%s-t %s-d\""
            " font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"11\">",
            kind, W, h, W, h, m->id, m->id);
    fprintf(f, "<title id=\"%s-t\">", m->id);
    imv_chart_escape(f, m->title, 0);
    fprintf(f, "</title><desc id=\"%s-d\">", m->id);
    imv_chart_escape(f, m->desc, 0);
    fputs("</desc>", f);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#FFFFFF\"/>", W, h);
}

static void svg_end(FILE *f)
{
    fputs("</svg>", f);
}

/* The label of row i, right-aligned in the label column. */
static void row_label(FILE *f, double y, const char *label)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">", LABEL_W - 8,
            y + ROW / 2 + 4, INK);
    imv_chart_escape(f, label, LABEL_CHARS);
    fputs("</text>", f);
}

/* Vertical grid lines and tick labels for x, below the rows, and the axis
 * title.  zero draws a darker line at 0. */
static void x_axis(FILE *f, const imv_chart_scale *x, double top, double bottom, const char *title,
                   int zero)
{
    double t[12];
    size_t n = imv_chart_ticks(x->d0 < x->d1 ? x->d0 : x->d1, x->d0 < x->d1 ? x->d1 : x->d0, 8, t);
    fputs("<g class=\"axis\">", f);
    for (size_t i = 0; i < n; i++) {
        double px = imv_chart_map(x, t[i]);
        char b[40];
        imv_chart_num(b, sizeof b, t[i]);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"%s\"/>",
                px, top, px, bottom, zero && t[i] == 0 ? MUTED : GRID,
                zero && t[i] == 0 ? "1.2" : "0.8");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">%s</text>", px,
                bottom + 13, MUTED, b);
    }
    if (title) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">",
                (x->r0 + x->r1) / 2, bottom + 28, INK);
        imv_chart_escape(f, title, 0);
        fputs("</text>", f);
    }
    fputs("</g>", f);
}

/* Swatches and names above the plot, in as many rows as they need. */
static double legend_item_w(const char *name)
{
    size_t len = strlen(name);
    return 14 + 6.2 * (double)(len > 40 ? 41 : len) + 14;
}

static double legend_height(const char *const *names, size_t n)
{
    double x = 8, rows = n ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        double w = legend_item_w(names[i]);
        if (x + w > W && x > 8) {
            rows++;
            x = 8;
        }
        x += w;
    }
    return rows * 18 + 6;
}

static void legend(FILE *f, const char *const *names, const char *const *fills, size_t n,
                   const char *const *strokes)
{
    double x = 8, y = 7;
    fputs("<g class=\"legend\">", f);
    for (size_t i = 0; i < n; i++) {
        double w = legend_item_w(names[i]);
        if (x + w > W && x > 8) {
            x = 8;
            y += 18;
        }
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\" stroke=\"%s\"/>",
                x, y, fills[i], strokes && strokes[i] ? strokes[i] : MUTED);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", x + 14, y + 9, INK);
        imv_chart_escape(f, names[i], 40);
        fputs("</text>", f);
        x += w;
    }
    fputs("</g>", f);
}

static double plot_left(void)
{
    return LABEL_W;
}

static double plot_right(void)
{
    return W - RIGHT_W;
}

/* A value label at x, row y; anchored start (right of a mark). */
static void value_text(FILE *f, double x, double y, const char *anchor, const char *fill,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void value_text(FILE *f, double x, double y, const char *anchor, const char *fill,
                       const char *fmt, ...)
{
    char b[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">%s</text>", x,
            y + ROW / 2 + 4, anchor, fill, b);
}

/* ---- dot and interval ---------------------------------------------------- */

void imv_chart_dot_interval(FILE *f, const imv_chart_meta *m, const imv_chart_dot *rows, size_t n,
                            double d0, double d1)
{
    static const char *const names[] = {"score, viable", "score, not viable", "p05-p95 of draws",
                                        "mean of draws"};
    double top = legend_height(names, 4), h = top + ROW * (double)n + AXIS_H;
    imv_chart_scale x = {d0, d1, plot_left(), plot_right()};
    svg_begin(f, m, "dot-interval", h);
    static const char *const fills[] = {"#0072B2", "#FFFFFF", "#7F7F7F", "#000000"};
    legend(f, names, fills, 4, (const char *const[]){"#0072B2", "#0072B2", "#7F7F7F", "#000000"});
    x_axis(f, &x, top, top + ROW * (double)n, m->axis, 0);
    for (size_t i = 0; i < n; i++) {
        const imv_chart_dot *r = &rows[i];
        double y = top + ROW * (double)i, cy = y + ROW / 2;
        row_label(f, y, r->label);
        fputs("<g class=\"mark\"", f);
        str_attr(f, "data-key", r->key);
        fputs(">", f);
        if (isfinite(r->lo) && isfinite(r->hi)) {
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#7F7F7F\" "
                    "stroke-width=\"3\" stroke-linecap=\"round\"",
                    imv_chart_map(&x, r->lo), cy, imv_chart_map(&x, r->hi), cy);
            str_attr(f, "data-key", r->key);
            num_attr(f, "data-p05", r->lo);
            num_attr(f, "data-p95", r->hi);
            fputs("/>", f);
        }
        if (isfinite(r->mean)) {
            double mx = imv_chart_map(&x, r->mean);
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000000\" "
                    "stroke-width=\"1.5\"",
                    mx, cy - 7, mx, cy + 7);
            str_attr(f, "data-key", r->key);
            num_attr(f, "data-mean", r->mean);
            fputs("/>", f);
        }
        if (isfinite(r->value)) {
            fprintf(f,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"%s\" stroke=\"#0072B2\" "
                    "stroke-width=\"2\"",
                    imv_chart_map(&x, r->value), cy, r->hollow ? "#FFFFFF" : "#0072B2");
            str_attr(f, "data-key", r->key);
            num_attr(f, "data-score", r->value);
            fprintf(f, " data-viable=\"%s\"/>", r->hollow ? "false" : "true");
            value_text(f, plot_right() + 6, y, "start", INK, "%.1f", r->value);
        } else {
            value_text(f, plot_left() + 4, y, "start", MUTED, "failed: no score");
        }
        fputs("</g>", f);
    }
    svg_end(f);
}

/* ---- 100% stacked ---------------------------------------------------------- */

void imv_chart_stacked100(FILE *f, const imv_chart_meta *m, const imv_chart_stack *rows, size_t n,
                          const double *shares, const char *const *series, size_t ns)
{
    double top = legend_height(series, ns), h = top + ROW * (double)n + AXIS_H;
    imv_chart_scale x = {0, 100, plot_left(), plot_right()};
    const char **fills = calloc(ns ? ns : 1, sizeof *fills);
    for (size_t k = 0; k < ns && fills; k++)
        fills[k] = imv_chart_ramp(k, ns);
    svg_begin(f, m, "stacked100", h);
    if (fills)
        legend(f, series, fills, ns, NULL);
    x_axis(f, &x, top, top + ROW * (double)n, m->axis, 0);
    for (size_t i = 0; i < n; i++) {
        double y = top + ROW * (double)i, acc = 0;
        row_label(f, y, rows[i].label);
        fputs("<g class=\"mark\"", f);
        str_attr(f, "data-key", rows[i].key);
        fputs(">", f);
        for (size_t k = 0; k < ns; k++) {
            double s = shares[i * ns + k];
            if (!(s > 0))
                continue;
            double x0 = imv_chart_map(&x, acc * 100), x1 = imv_chart_map(&x, (acc + s) * 100);
            const char *fill = fills ? fills[k] : "#08519C";
            fprintf(f,
                    "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#FFFFFF\" stroke-width=\"0.75\"",
                    x0, y + 3, x1 - x0, ROW - 6, fill);
            str_attr(f, "data-key", rows[i].key);
            fprintf(f, " data-rank=\"%zu\"", k + 1);
            num_attr(f, "data-share", s);
            fputs("/>", f);
            if (x1 - x0 >= 30)
                value_text(f, (x0 + x1) / 2, y, "middle", imv_chart_text_on(fill), "%.0f%%", s * 100);
            acc += s;
        }
        fputs("</g>", f);
    }
    free(fills);
    svg_end(f);
}

/* ---- waterfall ------------------------------------------------------------- */

void imv_chart_waterfall(FILE *f, const imv_chart_meta *m, const char *key, const char *start_label,
                         double start, const imv_chart_step *steps, size_t n, const char *end_label,
                         double end)
{
    double lo = fmin(0, fmin(start, end)), hi = fmax(100, fmax(start, end)), run = start;
    for (size_t i = 0; i < n; i++) {
        run += steps[i].delta;
        lo = fmin(lo, run);
        hi = fmax(hi, run);
    }
    imv_chart_nice(&lo, &hi);
    size_t rows = n + 2;
    static const char *const names[] = {"base and score", "raises the score", "lowers the score"};
    double top = legend_height(names, 3), h = top + ROW * (double)rows + AXIS_H;
    imv_chart_scale x = {lo, hi, plot_left(), plot_right()};
    svg_begin(f, m, "waterfall", h);
    static const char *const fills[] = {"#595959", "#0072B2", "#F5C9A6"};
    legend(f, names, fills, 3, (const char *const[]){"#595959", "#0072B2", "#D55E00"});
    x_axis(f, &x, top, top + ROW * (double)rows, m->axis, 1);
    /* start bar, steps, end bar */
    run = start;
    for (size_t i = 0; i < rows; i++) {
        double y = top + ROW * (double)i, a, b, v;
        const char *label, *fill, *stroke, *field;
        if (i == 0 || i == rows - 1) {
            v = i == 0 ? start : end;
            a = 0;
            b = v;
            label = i == 0 ? start_label : end_label;
            fill = stroke = "#595959";
            field = i == 0 ? "data-base" : "data-score";
        } else {
            v = steps[i - 1].delta;
            a = run;
            b = run + v;
            run = b;
            label = steps[i - 1].label;
            fill = v >= 0 ? "#0072B2" : "#F5C9A6";
            stroke = v >= 0 ? "#0072B2" : "#D55E00";
            field = "data-points";
        }
        row_label(f, y, label);
        double x0 = imv_chart_map(&x, fmin(a, b)), x1 = imv_chart_map(&x, fmax(a, b));
        fputs("<g class=\"mark\">", f);
        fprintf(f,
                "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" "
                "stroke=\"%s\" stroke-width=\"1\"",
                x0, y + 4, fmax(x1 - x0, 1), ROW - 8, fill, stroke);
        str_attr(f, "data-key", key);
        fprintf(f, " data-step=\"%zu\"", i);
        num_attr(f, field, v);
        fputs("/>", f);
        if (i > 0 && i < rows - 1) {
            /* a connector from this step's end to the next bar */
            double cx = imv_chart_map(&x, b);
            fprintf(f,
                    "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-dasharray=\"2 2\"/>",
                    cx, y + ROW - 4, cx, y + ROW + 4, MUTED);
            value_text(f, x1 + 4, y, "start", INK, "%+.1f", v);
        } else {
            value_text(f, x1 + 4, y, "start", INK, "%.1f", v);
        }
        fputs("</g>", f);
    }
    svg_end(f);
}

/* ---- diverging stacked ---------------------------------------------------- */

void imv_chart_diverging(FILE *f, const imv_chart_meta *m, const imv_chart_stack *rows, size_t n,
                         const double *values, const char *const *series, size_t ns)
{
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        double pos = 0, neg = 0;
        for (size_t k = 0; k < ns; k++) {
            double v = values[i * ns + k];
            if (v > 0)
                pos += v;
            else if (v < 0)
                neg += v;
        }
        hi = fmax(hi, pos);
        lo = fmin(lo, neg);
    }
    imv_chart_nice(&lo, &hi);
    double top = legend_height(series, ns), h = top + ROW * (double)n + AXIS_H;
    imv_chart_scale x = {lo, hi, plot_left(), plot_right()};
    const char **fills = calloc(ns ? ns : 1, sizeof *fills);
    for (size_t k = 0; k < ns && fills; k++)
        fills[k] = imv_chart_colour(k);
    svg_begin(f, m, "diverging", h);
    if (fills)
        legend(f, series, fills, ns, NULL);
    x_axis(f, &x, top, top + ROW * (double)n, m->axis, 1);
    for (size_t i = 0; i < n; i++) {
        double y = top + ROW * (double)i, pos = 0, neg = 0;
        row_label(f, y, rows[i].label);
        fputs("<g class=\"mark\"", f);
        str_attr(f, "data-key", rows[i].key);
        fputs(">", f);
        for (size_t k = 0; k < ns; k++) {
            double v = values[i * ns + k], a, b;
            if (v == 0 || !isfinite(v))
                continue;
            if (v > 0) {
                a = pos;
                b = pos += v;
            } else {
                b = neg;
                a = neg += v;
            }
            double x0 = imv_chart_map(&x, a), x1 = imv_chart_map(&x, b);
            const char *fill = fills ? fills[k] : "#0072B2";
            fprintf(f,
                    "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#FFFFFF\" stroke-width=\"0.75\"",
                    x0, y + 3, x1 - x0, ROW - 6, fill);
            str_attr(f, "data-key", rows[i].key);
            str_attr(f, "data-series", series[k]);
            num_attr(f, "data-points", v);
            fputs("/>", f);
            if (x1 - x0 >= 26)
                value_text(f, (x0 + x1) / 2, y, "middle", imv_chart_text_on(fill), "%+.0f", v);
        }
        value_text(f, plot_right() + 6, y, "start", INK, "%+.1f", pos + neg);
        fputs("</g>", f);
    }
    free(fills);
    svg_end(f);
}

/* ---- tipping points --------------------------------------------------------- */

static void tip_bar(FILE *f, const imv_chart_scale *x, double y, const imv_chart_tip *r, double to,
                    const char *who, const char *dir)
{
    double a = imv_chart_map(x, r->value), b = imv_chart_map(x, to);
    fprintf(f,
            "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"#E69F00\" "
            "stroke=\"#8A5F00\" stroke-width=\"1\"",
            fmin(a, b), y + 7, fmax(fabs(b - a), 1.5), ROW - 14);
    str_attr(f, "data-key", r->key);
    fprintf(f, " data-direction=\"%s\"", dir);
    num_attr(f, "data-value", r->value);
    num_attr(f, "data-to", to);
    str_attr(f, "data-first", who ? who : "");
    fputs("/>", f);
    fprintf(f,
            "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#000000\" "
            "stroke-width=\"2\"/>",
            b, y + 3, b, y + ROW - 3);
    char t[40];
    snprintf(t, sizeof t, "%.2f ", to);
    int right = strcmp(dir, "up") == 0;
    /* the label clear of everything on the row: left of the leftmost mark
     * for a decrease, right of the rightmost for an increase */
    double lx = b;
    if (isfinite(r->lo) && isfinite(r->hi))
        lx = right ? fmax(lx, imv_chart_map(x, r->hi)) : fmin(lx, imv_chart_map(x, r->lo));
    lx = right ? fmax(lx, a + 4) : fmin(lx, a - 4);
    fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">%s",
            lx + (right ? 5 : -5), y + ROW / 2 + 4, right ? "start" : "end", INK, t);
    imv_chart_escape(f, who ? who : "", 22);
    fputs("</text>", f);
}

void imv_chart_tipping(FILE *f, const imv_chart_meta *m, const imv_chart_tip *rows, size_t n,
                       double d0, double d1)
{
    static const char *const names[] = {"rating", "its range", "to the nearest tipping point"};
    double top = legend_height(names, 3), h = top + ROW * (double)n + AXIS_H;
    imv_chart_scale x = {d0, d1, plot_left(), plot_right()};
    svg_begin(f, m, "tipping", h);
    static const char *const fills[] = {"#000000", "#C6DBEF", "#E69F00"};
    legend(f, names, fills, 3, (const char *const[]){"#000000", "#4292C6", "#8A5F00"});
    x_axis(f, &x, top, top + ROW * (double)n, m->axis, 0);
    for (size_t i = 0; i < n; i++) {
        const imv_chart_tip *r = &rows[i];
        double y = top + ROW * (double)i;
        row_label(f, y, r->label);
        fputs("<g class=\"mark\"", f);
        str_attr(f, "data-key", r->key);
        fputs(">", f);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                plot_left(), y + ROW / 2, plot_right(), y + ROW / 2, GRID);
        if (isfinite(r->lo) && isfinite(r->hi)) {
            double a = imv_chart_map(&x, r->lo), b = imv_chart_map(&x, r->hi);
            fprintf(f,
                    "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"#C6DBEF\" "
                    "stroke=\"#4292C6\"",
                    a, y + 4, fmax(b - a, 1), ROW - 8);
            str_attr(f, "data-key", r->key);
            num_attr(f, "data-low", r->lo);
            num_attr(f, "data-high", r->hi);
            fputs("/>", f);
        }
        if (isfinite(r->down))
            tip_bar(f, &x, y, r, r->down, r->down_label, "down");
        if (isfinite(r->up))
            tip_bar(f, &x, y, r, r->up, r->up_label, "up");
        fprintf(f, "<circle cx=\"%.2f\" cy=\"%.1f\" r=\"4\" fill=\"#000000\"",
                imv_chart_map(&x, r->value), y + ROW / 2);
        str_attr(f, "data-key", r->key);
        num_attr(f, "data-value", r->value);
        fputs("/>", f);
        if (!isfinite(r->down) && !isfinite(r->up))
            value_text(f, plot_right() + 6, y, "start", MUTED, "none");
        fputs("</g>", f);
    }
    svg_end(f);
}

/* ---- timeline lanes ------------------------------------------------------- */

void imv_chart_timeline(FILE *f, const imv_chart_meta *m, const imv_chart_stack *rows, size_t n,
                        const double *ends, const double *lo, const double *hi,
                        const char *const *phases, size_t np)
{
    double dmax = 12;
    for (size_t i = 0; i < n * np; i++) {
        if (isfinite(ends[i]))
            dmax = fmax(dmax, ends[i]);
        if (hi && isfinite(hi[i]))
            dmax = fmax(dmax, hi[i]);
    }
    double d0 = 0;
    imv_chart_nice(&d0, &dmax);
    double top = legend_height(phases, np < 4 ? np : 4), h = top + ROW * (double)n + AXIS_H;
    imv_chart_scale x = {0, dmax, plot_left(), plot_right()};
    static const char *const fills[] = {"#595959", "#0072B2", "#9ECAE1", "#DEEBF7"};
    svg_begin(f, m, "timeline", h);
    legend(f, phases, fills, np < 4 ? np : 4, NULL);
    x_axis(f, &x, top, top + ROW * (double)n, m->axis, 0);
    for (size_t i = 0; i < n; i++) {
        double y = top + ROW * (double)i, start = 0;
        row_label(f, y, rows[i].label);
        fputs("<g class=\"mark\"", f);
        str_attr(f, "data-key", rows[i].key);
        fputs(">", f);
        int any = 0;
        for (size_t k = 0; k < np; k++) {
            double e = ends[i * np + k];
            if (!isfinite(e))
                continue;
            any = 1;
            double x0 = imv_chart_map(&x, start), x1 = imv_chart_map(&x, e);
            const char *fill = fills[k < 4 ? k : 3];
            fprintf(f,
                    "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#FFFFFF\" stroke-width=\"0.75\"",
                    x0, y + 4, fmax(x1 - x0, 0.5), ROW - 8, fill);
            str_attr(f, "data-key", rows[i].key);
            str_attr(f, "data-phase", phases[k]);
            num_attr(f, "data-start", start);
            num_attr(f, "data-end", e);
            fputs("/>", f);
            if (lo && hi && isfinite(lo[i * np + k]) && isfinite(hi[i * np + k])) {
                double a = imv_chart_map(&x, lo[i * np + k]), b = imv_chart_map(&x, hi[i * np + k]);
                fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#000000\"",
                        a, y + ROW / 2, b, y + ROW / 2);
                str_attr(f, "data-key", rows[i].key);
                str_attr(f, "data-phase", phases[k]);
                num_attr(f, "data-low", lo[i * np + k]);
                num_attr(f, "data-high", hi[i * np + k]);
                fputs("/>", f);
            }
            if (x1 - x0 >= 22)
                value_text(f, x1 - 3, y, "end", imv_chart_text_on(fill), "%.0f", e);
            start = e;
        }
        if (!any)
            value_text(f, plot_left() + 4, y, "start", MUTED, "the model gives no timeline");
        fputs("</g>", f);
    }
    svg_end(f);
}
