/*
 * result.c - the host functions through which a plugin builds its result,
 * and the checks that turn whatever a plugin hands back into either a
 * trustworthy result or a clear error for that model.
 *
 * Plugins are not trusted: every string is copied, measured and checked
 * for UTF-8; every number is checked for NaN and range when the plugin is
 * done (imv_result_finish), so one bad call cannot corrupt the output.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int holds_nothing(const imv_result *r);

void imv_result_reset(imv_result *r, const imv_model *m, int score_only)
{
    /* Copied from a template: gcc turns a fixed-size copy into vector
     * moves, where zeroing the struct became a `rep stos` that cost more
     * than a C model's whole score-only call. */
    static const imv_result fresh = {.setup_months = IMV_UNKNOWN,
                                     .months_to_fair = IMV_UNKNOWN,
                                     .months_to_good = IMV_UNKNOWN,
                                     .partner_fit = IMV_UNKNOWN};
    int brief = r->brief; /* a host's rerun resets a brief result */
    if (!holds_nothing(r))
        imv_result_clear(r);
    memcpy(r, &fresh, sizeof *r);
    r->model = m;
    r->score_only = score_only;
    r->brief = brief;
}

/* 1 when r holds no heap memory: a score-only result that did not fail,
 * which every Monte Carlo draw resets, for each model. */
static int holds_nothing(const imv_result *r)
{
    return !r->reasons && !r->unmet && !r->risks && !r->log && !r->error && !r->partner_id &&
           !r->fit_parts;
}

void imv_result_clear(imv_result *r)
{
    static const imv_result zero;
    if (holds_nothing(r)) {
        memcpy(r, &zero, sizeof *r); /* not memset: see imv_result_reset */
        return;
    }
    for (size_t i = 0; i < r->n_reasons; i++) {
        free(r->reasons[i].fields);
        free(r->reasons[i].text);
        free(r->reasons[i].evidence);
    }
    free(r->reasons);
    for (size_t i = 0; r->unmet && i < r->n_unmet; i++) /* score-only: counted, not kept */
        free(r->unmet[i]);
    free(r->unmet);
    for (size_t i = 0; i < r->n_risks; i++)
        free(r->risks[i]);
    free(r->risks);
    for (size_t i = 0; i < r->n_log; i++)
        free(r->log[i]);
    free(r->log);
    free(r->error);
    free(r->partner_id);
    for (size_t i = 0; i < r->n_fit_parts; i++) {
        free(r->fit_parts[i].partner);
        free(r->fit_parts[i].name);
        free(r->fit_parts[i].evidence);
    }
    free(r->fit_parts);
    memset(r, 0, sizeof *r);
}

/* Record the first problem with a plugin's output; later ones add nothing. */
static void bad_output(imv_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad_output(imv_result *r, const char *fmt, ...)
{
    if (r->error)
        return;
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->error = imv_xstrdup(msg);
}

/* 1 when the n bytes at s are all ASCII, so valid UTF-8: nearly every
 * text is, and or-ing 32 bytes at a time costs a fraction of decoding
 * (a precondition is checked in every score-only draw). */
static uint64_t word(const char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    return w;
}

static int ascii(const char *s, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    if (n < 8) {
        for (; i < n; i++)
            acc |= (unsigned char)s[i];
        return acc < 0x80;
    }
    for (; i + 32 <= n; i += 32)
        acc |= word(s + i) | word(s + i + 8) | word(s + i + 16) | word(s + i + 24);
    for (; i + 8 <= n; i += 8)
        acc |= word(s + i);
    acc |= word(s + n - 8); /* the last bytes, overlapping what was read */
    return (acc & 0x8080808080808080ull) == 0;
}

/* Check a plugin string: 1 and its length in *len when acceptable. */
static int check_text(imv_result *r, const char *s, const char *what, int required, size_t *len)
{
    if (!s) {
        if (required)
            bad_output(r, "plugin gave no %s", what);
        return 0;
    }
    size_t n = strnlen(s, IMV_MAX_TEXT + 1);
    if (n > IMV_MAX_TEXT) {
        bad_output(r, "plugin gave a %s longer than %d bytes", what, IMV_MAX_TEXT);
        return 0;
    }
    if (!ascii(s, n) && !imv_utf8_valid(s, n)) {
        bad_output(r, "plugin gave a %s that is not valid UTF-8", what);
        return 0;
    }
    r->text_bytes += n;
    if (r->text_bytes > IMV_MAX_RESULT_TEXT) {
        bad_output(r, "plugin gave more than %d bytes of text", IMV_MAX_RESULT_TEXT);
        return 0;
    }
    *len = n;
    return 1;
}

static char *take_text(imv_result *r, const char *s, const char *what, int required)
{
    size_t n;
    return check_text(r, s, what, required, &n) ? imv_xstrndup(s, n) : NULL;
}

static void h_set_score(imv_result *r, double score)
{
    r->has_score = 1;
    r->score = score;
}

/* A brief result's reason: the checks of a kept one, in the same order,
 * so that the same first error is recorded; then only counted. */
static void brief_reason(imv_result *r, const char *fields, const char *text, const char *evidence)
{
    size_t n;
    int ok = check_text(r, fields ? fields : "", "reason field list", 1, &n);
    ok &= check_text(r, text, "reason text", 1, &n);
    ok &= check_text(r, evidence ? evidence : "", "reason evidence", 1, &n);
    r->brief_reasons += ok;
}

static void h_add_reason(imv_result *r, const char *fields, double points, const char *text,
                         const char *evidence)
{
    if (r->score_only)
        return;
    if (r->n_reasons + r->brief_reasons >= IMV_MAX_ITEMS) {
        bad_output(r, "plugin gave more than %d reasons", IMV_MAX_ITEMS);
        return;
    }
    if (!isfinite(points)) {
        bad_output(r, "plugin gave a reason with %s points", isnan(points) ? "NaN" : "infinite");
        return;
    }
    if (r->brief) {
        brief_reason(r, fields, text, evidence);
        return;
    }
    char *f = take_text(r, fields ? fields : "", "reason field list", 1);
    char *t = take_text(r, text, "reason text", 1);
    char *e = take_text(r, evidence ? evidence : "", "reason evidence", 1);
    if (!f || !t || !e) {
        free(f);
        free(t);
        free(e);
        return;
    }
    imv_grow((void **)&r->reasons, &r->cap_reasons, r->n_reasons + 1, sizeof *r->reasons);
    r->reasons[r->n_reasons++] = (imv_reason){f, points, t, e};
}

static void add_string(imv_result *r, char ***v, size_t *n, size_t *cap, const char *s,
                       const char *what)
{
    if (*n >= IMV_MAX_ITEMS) {
        bad_output(r, "plugin gave more than %d %ss", IMV_MAX_ITEMS, what);
        return;
    }
    char *t = take_text(r, s, what, 1);
    if (!t)
        return;
    imv_grow((void **)v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = t;
}

static void h_add_unmet(imv_result *r, const char *text)
{
    /* Even in score-only mode: viability decides the ranking.  There the
     * text is checked as in a full call, and counted, but not kept: no
     * output shows it, and copying it cost more than many models. */
    if (r->score_only && !r->unmet) {
        size_t n;
        if (r->n_unmet >= IMV_MAX_ITEMS)
            bad_output(r, "plugin gave more than %d %ss", IMV_MAX_ITEMS, "precondition");
        else if (check_text(r, text, "precondition", 1, &n))
            r->n_unmet++;
        return;
    }
    add_string(r, &r->unmet, &r->n_unmet, &r->cap_unmet, text, "precondition");
}

static void h_add_risk(imv_result *r, const char *text)
{
    size_t n;
    if (r->score_only)
        return;
    if (!r->brief)
        add_string(r, &r->risks, &r->n_risks, &r->cap_risks, text, "risk");
    else if (r->brief_risks >= IMV_MAX_ITEMS) /* add_string's checks, nothing kept */
        bad_output(r, "plugin gave more than %d %ss", IMV_MAX_ITEMS, "risk");
    else if (check_text(r, text, "risk", 1, &n))
        r->brief_risks++;
}

static void h_set_timeline(imv_result *r, double setup, double fair, double good)
{
    r->setup_months = setup;
    r->months_to_fair = fair;
    r->months_to_good = good;
}

static void h_set_partner(imv_result *r, const char *id, double fit)
{
    if (r->score_only)
        return;
    char *t = take_text(r, id, "partner id", 1);
    if (!t)
        return;
    free(r->partner_id);
    r->partner_id = t;
    r->partner_fit = fit;
}

/* A part's name is a key of the result JSON: [a-z0-9_]{1,32}. */
static int part_name_ok(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (n >= 32 || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return 0;
    return n > 0;
}

static void h_partner_component(imv_result *r, const char *partner_id, const char *name,
                                double points, const char *evidence)
{
    if (r->score_only)
        return;
    if (r->n_fit_parts + r->brief_parts >= IMV_MAX_FIT_PARTS) {
        bad_output(r, "plugin gave more than %d partner fit components", IMV_MAX_FIT_PARTS);
        return;
    }
    if (!part_name_ok(name)) {
        bad_output(r,
                   "plugin gave a partner fit component named \"%.40s\": expected "
                   "[a-z0-9_], 1 to 32 characters",
                   name && imv_utf8_valid(name, strnlen(name, 40)) ? name : "");
        return;
    }
    if (!isfinite(points)) {
        bad_output(r, "plugin gave partner fit component %s %s points", name,
                   isnan(points) ? "NaN" : "infinite");
        return;
    }
    if (r->brief) {
        size_t n;
        int ok = check_text(r, partner_id, "partner fit component's partner id", 1, &n);
        ok &= check_text(r, evidence ? evidence : "", "partner fit component's evidence", 1, &n);
        r->brief_parts += ok;
        return;
    }
    char *id = take_text(r, partner_id, "partner fit component's partner id", 1);
    char *e = take_text(r, evidence ? evidence : "", "partner fit component's evidence", 1);
    if (!id || !e) {
        free(id);
        free(e);
        return;
    }
    imv_grow((void **)&r->fit_parts, &r->cap_fit_parts, r->n_fit_parts + 1, sizeof *r->fit_parts);
    r->fit_parts[r->n_fit_parts++] = (imv_fit_part){id, imv_xstrdup(name), points, e};
}

/* Keep only the parts of the partner the result names. */
static void keep_partner_parts(imv_result *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_fit_parts; i++) {
        imv_fit_part *x = &r->fit_parts[i];
        if (r->partner_id && strcmp(x->partner, r->partner_id) == 0) {
            r->fit_parts[k++] = *x;
            continue;
        }
        free(x->partner);
        free(x->name);
        free(x->evidence);
    }
    r->n_fit_parts = k;
}

static void h_set_error(imv_result *r, const char *message)
{
    if (r->error)
        return;
    char *t = take_text(r, message ? message : "the model failed", "set_error message", 1);
    if (t)
        r->error = t;
}

/* The plugin's journey may be shorter than ours (built against an older
 * header) or longer (a newer one): write only what fits in the size it
 * gave, and leave its struct_size alone. */
static void h_journey(const imv_profile_view *p, imv_journey *out)
{
    if (!out)
        return;
    imv_journey j;
    imv_journey_compute(p, &j);
    if (IMV_STRUCT_HAS(imv_journey, out, months_to_fair))
        out->months_to_fair = j.months_to_fair;
    if (IMV_STRUCT_HAS(imv_journey, out, months_to_good))
        out->months_to_good = j.months_to_good;
    if (IMV_STRUCT_HAS(imv_journey, out, factor))
        out->factor = j.factor;
}

/* The debug channel: never an error (a debugging aid must not change the
 * result), never kept unless the run traces. */
void imv_result_log(imv_result *r, const char *message)
{
    if (!r || r->score_only || !r->model || !r->model->limits || !r->model->limits->trace)
        return;
    if (r->n_log >= IMV_MAX_LOG) {
        r->log_dropped++;
        return;
    }
    const char *s = message ? message : "(null)";
    size_t n = strnlen(s, IMV_MAX_TEXT); /* cut, not refused */
    imv_grow((void **)&r->log, &r->cap_log, r->n_log + 1, sizeof *r->log);
    r->log[r->n_log++] = imv_text_oneline(s, n, IMV_MAX_TEXT);
}

static const imv_host host_table = {
    .struct_size = sizeof(imv_host),
    .abi = IMV_PLUGIN_ABI,
    .engine_version = IMV_VERSION,
    .set_score = h_set_score,
    .add_reason = h_add_reason,
    .add_unmet = h_add_unmet,
    .add_risk = h_add_risk,
    .set_timeline = h_set_timeline,
    .set_partner = h_set_partner,
    .set_error = h_set_error,
    .journey = h_journey,
    .rating_name = imv_rating_name,
    .fact_name = imv_fact_name,
    .grade_name = imv_grade_name,
    .log = imv_result_log,
    .partner_component = h_partner_component,
};

const imv_host *imv_host_table(void)
{
    return &host_table;
}

static int bad_months(double v)
{
    return !(v == IMV_UNKNOWN || (isfinite(v) && v >= 0 && v <= 1200));
}

int imv_draw_answer_plain(const imv_draw_answer *a)
{
    /* imv_result_finish's checks, in its order, on what take_plain
     * (plugins/isolate.c) would put in a result; and no more unmet
     * preconditions than h_add_unmet counts. */
    return !a->declined && a->has_score && isfinite(a->score) && a->score >= 0 && a->score <= 100 &&
           !bad_months(a->setup_months) && !bad_months(a->months_to_fair) &&
           !bad_months(a->months_to_good) && a->n_unmet <= IMV_MAX_ITEMS;
}

void imv_draw_outcome_of(const imv_result *r, imv_draw_outcome *o)
{
    o->score = r->has_score ? r->score : NAN;
    o->cls = r->error ? 2 : r->viable ? 0 : 1;
    o->error = r->error;
}

void imv_result_finish(imv_result *r)
{
    if (!r->error) {
        if (!r->has_score)
            bad_output(r, "plugin gave no score");
        else if (!isfinite(r->score))
            bad_output(r, "plugin gave a score of %s", isnan(r->score) ? "NaN" : "infinity");
        else if (r->score < 0 || r->score > 100)
            bad_output(r, "plugin gave a score of %g, outside 0..100", r->score);
        else if (bad_months(r->setup_months))
            bad_output(r, "plugin gave a timeline with setup_months %g: expected 0..1200 or unknown",
                       r->setup_months);
        else if (bad_months(r->months_to_fair))
            bad_output(r,
                       "plugin gave a timeline with months_to_fair %g: expected 0..1200 or unknown",
                       r->months_to_fair);
        else if (bad_months(r->months_to_good))
            bad_output(r,
                       "plugin gave a timeline with months_to_good %g: expected 0..1200 or unknown",
                       r->months_to_good);
        else if (r->partner_id &&
                 !(isfinite(r->partner_fit) && r->partner_fit >= 0 && r->partner_fit <= 100))
            bad_output(r, "plugin gave a partner fit outside 0..100 (%g)", r->partner_fit);
    }
    keep_partner_parts(r);
    if (r->error) {
        r->has_score = 0;
        r->viable = 0;
        return;
    }
    r->viable = r->n_unmet == 0;
}
