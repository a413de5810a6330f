/*
 * profile_json.c - build an imv_profile from a parsed JSON object and
 * validate every field against PROFILE-FORMAT.md.
 *
 * Validation reports every problem it finds (not just the first), each
 * with the JSON path and what was expected, then fails the profile.
 * cJSON results are checked for NULL and type before every use.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_ID 128
#define MAX_NAME 512
#define MAX_NOTE 4096
#define MAX_PARTNERS 64
#define MAX_PREVIOUS 32
#define MAX_PROGRESS 64
#define MAX_KEYS 256     /* in one object */
#define MAX_DATE_TEXT 64 /* read this much of a date, so errors can quote it */

typedef struct vctx {
    imv_diags *diags;
    const char *source;
    long line;
    int strict;
    size_t errors;
    cJSON *extra;   /* unknown fields collected here */
    const char *id; /* the profile's id when it is valid, for every message */
} vctx;

static void fail(vctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(vctx *c, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    imv_diags_add_in(c->diags, 0, c->source, c->line, c->id, path, "%s", msg);
    c->errors++;
}

static const char *type_name(const cJSON *j)
{
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsArray(j))
        return "an array";
    if (cJSON_IsObject(j))
        return "an object";
    return "an invalid value";
}

/* Describe a value for a message: short strings and numbers verbatim. */
static void describe(const cJSON *j, char *buf, size_t len)
{
    if (cJSON_IsNumber(j))
        snprintf(buf, len, "%g", j->valuedouble);
    else if (cJSON_IsString(j) && strlen(j->valuestring) <= 40)
        snprintf(buf, len, "\"%s\"", j->valuestring);
    else
        snprintf(buf, len, "%s", type_name(j));
}

/* s appended to out at `at`, cut at len - 1 bytes as snprintf would;
 * returns the new length. */
static size_t append(char *out, size_t len, size_t at, const char *s)
{
    size_t k = strlen(s);
    if (at + k >= len)
        k = len - 1 - at;
    memcpy(out + at, s, k);
    out[at + k] = '\0';
    return at + k;
}

/* "base.key" (or key alone) into out.  Every field read names its path,
 * which only a message uses: built with snprintf it was a twentieth of
 * reading a profile. */
static void join(char *out, size_t len, const char *base, const char *key)
{
    size_t at = 0;
    out[0] = '\0';
    if (base && *base)
        at = append(out, len, append(out, len, 0, base), ".");
    append(out, len, at, key);
}

/* " (did you mean political_commitment?)" for an unknown key k of the
 * object at path, or "" when no known name is close.  At the top level a
 * rating or fact name is suggested with its section (a CSV header
 * "acceptance" for "ratings.acceptance"). */
static void suggest(const char *path, const char *k, const char *const *allowed, char *buf, size_t len)
{
    size_t n = 0;
    while (allowed[n])
        n++;
    const char *near = imv_nearest(k, allowed, n);
    const char *section = "";
    if (!near && !(path && *path)) {
        const char *names[(int)IMV_R_COUNT + (int)IMV_F_COUNT];
        for (int i = 0; i < IMV_R_COUNT; i++)
            names[i] = imv_rating_name(i);
        if ((near = imv_nearest(k, names, IMV_R_COUNT)) != NULL || imv_rating_index(k) >= 0) {
            near = near ? near : imv_rating_name(imv_rating_index(k));
            section = "ratings.";
        } else {
            for (int i = 0; i < IMV_F_COUNT; i++)
                names[i] = imv_fact_name(i);
            if ((near = imv_nearest(k, names, IMV_F_COUNT)) != NULL || imv_fact_index(k) >= 0) {
                near = near ? near : imv_fact_name(imv_fact_index(k));
                section = "facts.";
            }
        }
    }
    if (near)
        snprintf(buf, len, "; did you mean %s%s?", section, near);
    else
        buf[0] = '\0';
}

/* Warn about (or, with strict, refuse) keys not in allowed; refuse
 * duplicate keys, which cJSON would otherwise keep silently. */
static void check_keys(vctx *c, const cJSON *obj, const char *path, const char *const *allowed,
                       int keep_unknown)
{
    char p[256];
    /* The checks below are quadratic in the keys: a 3 MB object of 200,000
     * keys took seven minutes.  No object of a profile has a hundred. */
    int n = cJSON_GetArraySize(obj);
    if (n > MAX_KEYS) {
        fail(c, path, "object with %d fields: not a profile (at most %d are read)", n, MAX_KEYS);
        return;
    }
    for (const cJSON *a = obj->child; a; a = a->next) {
        const char *k = a->string ? a->string : "";
        for (const cJSON *b = obj->child; b != a; b = b->next)
            if (b->string && b->string[0] == k[0] && strcmp(b->string, k) == 0) {
                join(p, sizeof p, path, k);
                fail(c, p, "duplicate key \"%s\"", k);
                break;
            }
        int known = 0;
        for (const char *const *s = allowed; *s && !known; s++)
            known = (*s)[0] == k[0] && strcmp(*s, k) == 0;
        if (known)
            continue;
        join(p, sizeof p, path, k);
        char hint[160];
        suggest(path, k, allowed, hint, sizeof hint);
        if (c->strict) {
            /* strict 2: a range, where any other key is a typo whether or
             * not the user asked for --strict. */
            if (c->strict == 2)
                fail(c, p, "unknown field: a range has only \"low\", \"mode\" and \"high\"%s", hint);
            else
                fail(c, p, "unknown field (--strict)%s", hint);
        } else {
            imv_diags_add_in(c->diags, 1, c->source, c->line, c->id, p,
                             "unknown field kept, not used%s", hint);
            /* Nested unknowns are kept under their section ("size":
             * {"households": ...}) so that the warning's "kept" is true. */
            cJSON *dst = keep_unknown ? c->extra : NULL;
            if (dst && path && *path) {
                cJSON *sect = cJSON_GetObjectItemCaseSensitive(dst, path);
                dst = sect ? sect : cJSON_AddObjectToObject(dst, path);
            }
            if (cJSON_IsObject(dst) && !cJSON_GetObjectItemCaseSensitive(dst, k))
                cJSON_AddItemToObject(dst, k, cJSON_Duplicate(a, 1));
        }
    }
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* get(obj, keys[i]) for each of the n keys into at[i], in one pass over
 * obj's fields (the first of a repeated key, as get finds): a get a key
 * went through the object's fields once for each of the 13 ratings. */
static void get_all(const cJSON *obj, const char *const *keys, size_t n, const cJSON **at)
{
    for (size_t i = 0; i < n; i++)
        at[i] = NULL;
    for (const cJSON *f = obj->child; f; f = f->next) {
        const char *k = f->string;
        for (size_t i = 0; k && i < n; i++)
            if (!at[i] && keys[i][0] == k[0] && strcmp(keys[i], k) == 0) {
                at[i] = f;
                break;
            }
    }
}

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_ID)
        return 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return 0;
    }
    return 1;
}

/* A required or optional string; returns a copy or NULL. */
static char *get_string(vctx *c, const cJSON *obj, const char *key, const char *path, int required,
                        size_t maxlen)
{
    char p[256];
    join(p, sizeof p, path, key);
    const cJSON *j = get(obj, key);
    if (!j || (cJSON_IsNull(j) && !required)) {
        if (required)
            fail(c, p, "missing (required)");
        return NULL;
    }
    if (!cJSON_IsString(j) || !j->valuestring) {
        fail(c, p, "expected a string, got %s", type_name(j));
        return NULL;
    }
    size_t n = strlen(j->valuestring);
    if (n > maxlen) {
        fail(c, p, "string of %zu bytes is longer than the %zu allowed", n, maxlen);
        return NULL;
    }
    if (required && n == 0) {
        fail(c, p, "must not be empty");
        return NULL;
    }
    return imv_xstrdup(j->valuestring);
}

static char *get_id(vctx *c, const cJSON *obj, const char *key, const char *path, int required)
{
    char *s = get_string(c, obj, key, path, required, 4 * MAX_ID);
    if (s && !valid_id(s)) {
        char p[256];
        join(p, sizeof p, path, key);
        fail(c, p,
             "\"%.60s\" is not a valid id: expected [a-z0-9][a-z0-9._-]*, at most %d characters", s,
             MAX_ID);
        free(s);
        return NULL;
    }
    return s;
}

/* A finite number in [lo, hi]; integral when integer is set. */
static int get_number(vctx *c, const cJSON *j, const char *p, double lo, double hi, int integer,
                      double *out)
{
    char d[64];
    if (!cJSON_IsNumber(j)) {
        fail(c, p, "expected a number, got %s", type_name(j));
        return -1;
    }
    double v = j->valuedouble;
    if (!isfinite(v)) {
        fail(c, p, "is not a finite number");
        return -1;
    }
    if (integer && floor(v) != v) {
        describe(j, d, sizeof d);
        fail(c, p, "%s is not a whole number", d);
        return -1;
    }
    if (v < lo || v > hi) {
        describe(j, d, sizeof d);               /* only here: most numbers are fine */
        if (v < lo && (isinf(hi) || hi >= 1e6)) /* sizes: no "0..1e+09" */
            fail(c, p, "%s is negative; expected a number >= %g", d, lo);
        else
            fail(c, p, "%s is outside %g..%g", d, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int get_grade(vctx *c, const cJSON *j, const char *p, imv_grade *out, int *was_adequate)
{
    if (!cJSON_IsString(j) || !j->valuestring) {
        fail(c, p, "expected a grade string, got %s", type_name(j));
        return -1;
    }
    int g = imv_grade_parse(j->valuestring, was_adequate);
    if (g < 0) {
        fail(c, p,
             "\"%.40s\" is not a grade: expected outstanding, good, "
             "requires_improvement, inadequate or not_inspected",
             j->valuestring);
        return -1;
    }
    *out = (imv_grade)g;
    return 0;
}

/* A rating: a number 0..4, or { low, high } or { low, mode, high }. */
static int get_rating(vctx *c, const cJSON *j, const char *p, imv_range *r)
{
    static const char *const keys[] = {"low", "mode", "high", NULL};
    char q[256];
    if (cJSON_IsNumber(j)) {
        if (get_number(c, j, p, 0, 4, 0, &r->mode))
            return -1;
        r->low = r->high = r->mode;
        r->kind = 0;
        return 0;
    }
    if (!cJSON_IsObject(j)) {
        fail(c, p, "expected a rating 0..4 or a range {\"low\", \"high\"}, got %s", type_name(j));
        return -1;
    }
    size_t before = c->errors;
    int strict = c->strict;
    c->strict = 2; /* a typo inside a range must not pass */
    check_keys(c, j, p, keys, 0);
    c->strict = strict;
    const cJSON *lo = get(j, "low"), *mo = get(j, "mode"), *hi = get(j, "high");
    if (!lo || !hi) {
        fail(c, p, "a range needs both \"low\" and \"high\"");
        return -1;
    }
    join(q, sizeof q, p, "low");
    get_number(c, lo, q, 0, 4, 0, &r->low);
    join(q, sizeof q, p, "high");
    get_number(c, hi, q, 0, 4, 0, &r->high);
    r->kind = 1;
    if (mo) {
        join(q, sizeof q, p, "mode");
        get_number(c, mo, q, 0, 4, 0, &r->mode);
        r->kind = 2;
    }
    if (c->errors != before)
        return -1;
    if (r->low > r->high) {
        fail(c, p, "low %g is above high %g", r->low, r->high);
        return -1;
    }
    if (r->kind == 2 && (r->mode < r->low || r->mode > r->high)) {
        fail(c, p, "mode %g is not within low..high (%g..%g)", r->mode, r->low, r->high);
        return -1;
    }
    if (r->kind == 1)
        r->mode = (r->low + r->high) / 2;
    if (r->low == r->high)
        r->kind = 0;
    return 0;
}

static void read_size(vctx *c, const cJSON *j, imv_profile *p)
{
    static const char *const keys[] = {"child_population", "children_in_care", NULL};
    if (!j || cJSON_IsNull(j))
        return;
    if (!cJSON_IsObject(j)) {
        fail(c, "size", "expected an object, got %s", type_name(j));
        return;
    }
    check_keys(c, j, "size", keys, 1);
    const cJSON *a = get(j, "child_population"), *b = get(j, "children_in_care");
    if (a && !cJSON_IsNull(a))
        get_number(c, a, "size.child_population", 0, 1e9, 1, &p->child_population);
    if (b && !cJSON_IsNull(b))
        get_number(c, b, "size.children_in_care", 0, 1e9, 1, &p->children_in_care);
}

/* A date field: a copy when it is one, else NULL with the error given. */
static char *get_date(vctx *c, const cJSON *obj, const char *key, const char *path, int required)
{
    char *s = get_string(c, obj, key, path, required, MAX_DATE_TEXT);
    if (s && !imv_date_valid(s)) {
        char q[256];
        join(q, sizeof q, path, key);
        fail(c, q, "\"%s\" is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD", s);
        free(s);
        return NULL;
    }
    return s;
}

/* One earlier judgement: a grade string, or { "grade", "date" }. */
static void read_previous_item(vctx *c, const cJSON *e, const char *q, imv_profile *p)
{
    static const char *const keys[] = {"grade", "date", NULL};
    size_t k = p->n_previous;
    if (!cJSON_IsObject(e)) {
        if (cJSON_IsString(e)) {
            if (get_grade(c, e, q, &p->previous[k], NULL) == 0)
                p->n_previous++;
        } else {
            fail(c, q, "expected a grade string, got %s (or {\"grade\": ..., \"date\": ...})",
                 type_name(e));
        }
        return;
    }
    size_t before = c->errors;
    /* A closed shape, like a range: any other key is a typo. */
    for (const cJSON *a = e->child; a; a = a->next) {
        int known = 0;
        for (const char *const *s = keys; *s; s++)
            known |= a->string && strcmp(a->string, *s) == 0;
        char u[160];
        join(u, sizeof u, q, a->string ? a->string : "");
        if (!known)
            fail(c, u, "unknown field: a dated grade has only \"grade\" and \"date\"");
    }
    char g[96];
    join(g, sizeof g, q, "grade");
    const cJSON *gj = get(e, "grade");
    if (!gj)
        fail(c, g, "missing (required)");
    else
        get_grade(c, gj, g, &p->previous[k], NULL);
    if (!get(e, "date"))
        fail(c, q, "an object needs a \"date\"; give an undated grade as a plain string");
    char *date = get_date(c, e, "date", q, 1);
    if (c->errors != before) {
        free(date);
        return;
    }
    p->previous_date[k] = date;
    p->n_previous++;
}

/* Dated earlier judgements come newest first, none later than the
 * current one (the inspection date, or as_of). */
static void check_previous_dates(vctx *c, const imv_profile *p, const char *current,
                                 const char *current_path)
{
    char q[64];
    const char *newer = NULL;
    size_t newer_i = 0;
    for (size_t i = 0; i < p->n_previous; i++) {
        const char *d = p->previous_date[i];
        if (!d)
            continue;
        snprintf(q, sizeof q, "ofsted.previous[%zu].date", i);
        if (current && imv_date_cmp(d, current) > 0)
            fail(c, q, "%s is later than %s %s: earlier judgements come before the current one", d,
                 current_path, current);
        else if (newer && imv_date_cmp(d, newer) > 0)
            fail(c, q,
                 "%s is later than ofsted.previous[%zu] (%s): list earlier judgements "
                 "newest first",
                 d, newer_i, newer);
        newer = d;
        newer_i = i;
    }
}

static void read_previous(vctx *c, const cJSON *prev, imv_profile *p)
{
    char q[64];
    if (!prev || cJSON_IsNull(prev))
        return;
    if (!cJSON_IsArray(prev)) {
        fail(c, "ofsted.previous", "expected an array of grades, got %s", type_name(prev));
        return;
    }
    int n = cJSON_GetArraySize(prev);
    if (n > MAX_PREVIOUS) {
        fail(c, "ofsted.previous", "%d grades; at most %d are read", n, MAX_PREVIOUS);
        return;
    }
    p->previous = imv_xcalloc((size_t)n, sizeof *p->previous);
    p->previous_date = imv_xcalloc((size_t)n, sizeof *p->previous_date);
    int i = 0;
    for (const cJSON *e = prev->child; e; e = e->next, i++) {
        snprintf(q, sizeof q, "ofsted.previous[%d]", i);
        read_previous_item(c, e, q, p);
    }
}

/* ofsted.judgements: each a grade; unknown names are kept and warned
 * about like any unknown field. */
static void read_judgements(vctx *c, const cJSON *j, imv_profile *p)
{
    const char *keys[IMV_J_COUNT + 1];
    char q[96];
    for (int i = 0; i < IMV_J_COUNT; i++)
        keys[i] = imv_judgement_name(i);
    keys[IMV_J_COUNT] = NULL;
    if (!j || cJSON_IsNull(j))
        return;
    if (!cJSON_IsObject(j)) {
        fail(c, "ofsted.judgements",
             "expected an object of judgements {\"leadership\": GRADE, ...}, "
             "got %s",
             type_name(j));
        return;
    }
    check_keys(c, j, "ofsted.judgements", keys, 1);
    for (int i = 0; i < IMV_J_COUNT; i++) {
        const cJSON *g = get(j, keys[i]);
        if (!g || cJSON_IsNull(g))
            continue;
        join(q, sizeof q, "ofsted.judgements", keys[i]);
        if (get_grade(c, g, q, &p->judgements[i], NULL) == 0)
            p->judgements_present |= 1u << i;
    }
}

static void read_ofsted(vctx *c, const cJSON *j, imv_profile *p)
{
    static const char *const keys[] = {"grade", "previous", "inspected", "judgements", NULL};
    if (!j) {
        fail(c, "ofsted", "missing (required): expected {\"grade\": ...}");
        return;
    }
    if (!cJSON_IsObject(j)) {
        fail(c, "ofsted", "expected an object, got %s", type_name(j));
        return;
    }
    check_keys(c, j, "ofsted", keys, 1);
    const cJSON *g = get(j, "grade");
    if (!g)
        fail(c, "ofsted.grade", "missing (required)");
    else
        get_grade(c, g, "ofsted.grade", &p->grade, &p->grade_was_adequate);
    p->inspected = get_date(c, j, "inspected", "ofsted", 0);
    if (p->inspected && p->as_of && imv_date_cmp(p->inspected, p->as_of) > 0)
        fail(c, "ofsted.inspected",
             "%s is later than as_of %s: the profile describes the "
             "authority after its inspection",
             p->inspected, p->as_of);
    read_judgements(c, get(j, "judgements"), p);
    read_previous(c, get(j, "previous"), p);
    if (p->previous_date)
        check_previous_dates(c, p, p->inspected ? p->inspected : p->as_of,
                             p->inspected ? "ofsted.inspected" : "as_of");
}

static void read_ratings(vctx *c, const cJSON *j, imv_profile *p)
{
    const char *keys[IMV_R_COUNT + 1];
    char q[128];
    for (int i = 0; i < IMV_R_COUNT; i++)
        keys[i] = imv_rating_name(i);
    keys[IMV_R_COUNT] = NULL;
    if (!j) {
        fail(c, "ratings", "missing (required): all 13 ratings are needed");
        return;
    }
    if (!cJSON_IsObject(j)) {
        fail(c, "ratings", "expected an object, got %s", type_name(j));
        return;
    }
    check_keys(c, j, "ratings", keys, 1);
    const cJSON *at[IMV_R_COUNT];
    get_all(j, keys, IMV_R_COUNT, at);
    for (int i = 0; i < IMV_R_COUNT; i++) {
        join(q, sizeof q, "ratings", keys[i]);
        const cJSON *r = at[i];
        if (!r) {
            fail(c, q, "missing (required): a rating 0..4");
            continue;
        }
        if (get_rating(c, r, q, &p->ratings[i]) == 0 && p->ratings[i].kind)
            p->uncertain = 1;
    }
}

static void read_facts(vctx *c, const cJSON *j, imv_profile *p)
{
    const char *keys[IMV_F_COUNT + 1];
    char q[128];
    for (int i = 0; i < IMV_F_COUNT; i++)
        keys[i] = imv_fact_name(i);
    keys[IMV_F_COUNT] = NULL;
    if (!j || cJSON_IsNull(j))
        return;
    if (!cJSON_IsObject(j)) {
        fail(c, "facts", "expected an object, got %s", type_name(j));
        return;
    }
    check_keys(c, j, "facts", keys, 1);
    const cJSON *at[IMV_F_COUNT];
    get_all(j, keys, IMV_F_COUNT, at);
    for (int i = 0; i < IMV_F_COUNT; i++) {
        const cJSON *f = at[i];
        if (!f || cJSON_IsNull(f))
            continue;
        join(q, sizeof q, "facts", keys[i]);
        int is_rate = i == IMV_F_AGENCY_RATE || i == IMV_F_VACANCY_RATE || i == IMV_F_TURNOVER_RATE;
        double hi = is_rate ? 1 : INFINITY;
        /* Spreadsheets show a share as 22%, and people copy the 22. */
        if (is_rate && cJSON_IsNumber(f) && f->valuedouble > 2 && f->valuedouble <= 100) {
            fail(c, q, "%g looks like a percentage: write %g", f->valuedouble, f->valuedouble / 100);
            continue;
        }
        if (get_number(c, f, q, 0, hi, 0, &p->facts[i]) == 0)
            p->facts_present |= 1u << i;
    }
}

/* One monitoring finding, path q, into *t. */
static void read_finding(vctx *c, const cJSON *e, const char *q, imv_progress *t)
{
    static const char *const keys[] = {"date", "finding", "by", "note", NULL};
    char f[128];
    if (!cJSON_IsObject(e)) {
        fail(c, q, "expected {\"date\", \"finding\", \"by\"}, got %s", type_name(e));
        return;
    }
    check_keys(c, e, q, keys, 1);
    t->date = get_date(c, e, "date", q, 1);
    char *s = get_string(c, e, "finding", q, 1, 64);
    int v = s ? imv_finding_index(s) : -1;
    join(f, sizeof f, q, "finding");
    if (s && v < 0)
        fail(c, f,
             "\"%.40s\" is not a finding: expected improving, mixed, static or "
             "deteriorating",
             s);
    t->finding = v < 0 ? IMV_TREND_UNKNOWN : (imv_trend)v;
    free(s);
    s = get_string(c, e, "by", q, 1, 64);
    v = s ? imv_finding_by_index(s) : -1;
    join(f, sizeof f, q, "by");
    if (s && v < 0)
        fail(c, f,
             "\"%.40s\" is not a source of findings: expected ofsted_monitoring, "
             "commissioner, board, dfe or other",
             s);
    t->by = v < 0 ? IMV_BY_OTHER : (imv_finding_by)v;
    free(s);
    t->note = get_string(c, e, "note", q, 0, MAX_NOTE);
}

/* Findings since the intervention began, newest first, none before it
 * began nor after the profile's date. */
static void read_progress(vctx *c, const cJSON *j, imv_profile *p)
{
    char q[96];
    if (!j || cJSON_IsNull(j))
        return;
    if (!cJSON_IsArray(j)) {
        fail(c, "current_intervention.progress", "expected an array of findings, got %s",
             type_name(j));
        return;
    }
    int n = cJSON_GetArraySize(j);
    if (n > MAX_PROGRESS) {
        fail(c, "current_intervention.progress", "%d findings; at most %d are read", n, MAX_PROGRESS);
        return;
    }
    p->progress = imv_xcalloc((size_t)n, sizeof *p->progress);
    int i = 0;
    for (const cJSON *e = j->child; e; e = e->next, i++) {
        snprintf(q, sizeof q, "current_intervention.progress[%d]", i);
        imv_progress *t = &p->progress[p->n_progress++];
        read_finding(c, e, q, t);
        if (!t->date)
            continue;
        snprintf(q, sizeof q, "current_intervention.progress[%d].date", i);
        if (p->iv_since && imv_date_cmp(t->date, p->iv_since) < 0)
            fail(c, q,
                 "%s is before current_intervention.since %s: progress is what was found "
                 "after the intervention began",
                 t->date, p->iv_since);
        else if (p->as_of && imv_date_cmp(t->date, p->as_of) > 0)
            fail(c, q, "%s is later than as_of %s", t->date, p->as_of);
        else if (i > 0 && p->progress[i - 1].date &&
                 imv_date_cmp(t->date, p->progress[i - 1].date) > 0)
            fail(c, q,
                 "%s is later than current_intervention.progress[%d] (%s): list findings "
                 "newest first",
                 t->date, i - 1, p->progress[i - 1].date);
    }
}

static void read_intervention(vctx *c, const cJSON *j, imv_profile *p)
{
    static const char *const keys[] = {"model", "since", "partner", "kind", "progress", NULL};
    const char *path = "current_intervention";
    if (!j || cJSON_IsNull(j))
        return;
    if (!cJSON_IsObject(j)) {
        fail(c, path, "expected null or an object {\"model\", \"since\"}, got %s", type_name(j));
        return;
    }
    check_keys(c, j, path, keys, 1);
    p->iv_model = get_id(c, j, "model", path, 1);
    /* Longer than a date may be (e.g. an ISO timestamp) is still read, so
     * that the message says what a date looks like, not how long it was. */
    p->iv_since = get_date(c, j, "since", path, 1);
    p->iv_partner = get_id(c, j, "partner", path, 0);
    char *kind = get_string(c, j, "kind", path, 0, 64);
    if (kind) {
        int k = imv_iv_kind_index(kind);
        if (k < 0)
            fail(c, "current_intervention.kind",
                 "\"%.40s\" is not a kind of intervention: "
                 "expected voluntary, notice or direction",
                 kind);
        else
            p->iv_kind = (imv_iv_kind)k;
        free(kind);
    }
    read_progress(c, get(j, "progress"), p);
}

static void read_partner(vctx *c, const cJSON *j, const char *path, imv_partner *t)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "grade",
                                       "neighbouring",
                                       "child_population",
                                       "spare_leadership_capacity",
                                       "current_commitments",
                                       NULL};
    char q[128];
    t->grade = IMV_G_NOT_INSPECTED;
    t->neighbouring = -1;
    t->child_population = t->spare_leadership_capacity = t->current_commitments = IMV_UNKNOWN;
    if (!cJSON_IsObject(j)) {
        fail(c, path, "expected a partner object, got %s", type_name(j));
        return;
    }
    check_keys(c, j, path, keys, 1);
    t->id = get_id(c, j, "id", path, 1);
    t->name = get_string(c, j, "name", path, 0, MAX_NAME);
    const cJSON *f;
    if ((f = get(j, "grade")) && !cJSON_IsNull(f)) {
        join(q, sizeof q, path, "grade");
        get_grade(c, f, q, &t->grade, NULL);
    }
    if ((f = get(j, "neighbouring")) && !cJSON_IsNull(f)) {
        join(q, sizeof q, path, "neighbouring");
        if (cJSON_IsBool(f))
            t->neighbouring = cJSON_IsTrue(f);
        else
            fail(c, q, "expected true or false, got %s", type_name(f));
    }
    if ((f = get(j, "child_population")) && !cJSON_IsNull(f)) {
        join(q, sizeof q, path, "child_population");
        get_number(c, f, q, 0, 1e9, 1, &t->child_population);
    }
    if ((f = get(j, "spare_leadership_capacity")) && !cJSON_IsNull(f)) {
        imv_range r;
        join(q, sizeof q, path, "spare_leadership_capacity");
        if (get_rating(c, f, q, &r) == 0)
            t->spare_leadership_capacity = imv_range_point(&r);
    }
    if ((f = get(j, "current_commitments")) && !cJSON_IsNull(f)) {
        join(q, sizeof q, path, "current_commitments");
        get_number(c, f, q, 0, 1000, 1, &t->current_commitments);
    }
}

static void read_partners(vctx *c, const cJSON *j, imv_profile *p)
{
    char q[64];
    if (!j || cJSON_IsNull(j))
        return;
    if (!cJSON_IsArray(j)) {
        fail(c, "partners", "expected an array of partner councils, got %s", type_name(j));
        return;
    }
    int n = cJSON_GetArraySize(j);
    if (n > MAX_PARTNERS) {
        fail(c, "partners", "%d partners; at most %d are allowed", n, MAX_PARTNERS);
        return;
    }
    p->partners = imv_xcalloc((size_t)n, sizeof *p->partners);
    p->n_partners = (size_t)n;
    int i = 0;
    for (const cJSON *e = j->child; e; e = e->next, i++) {
        snprintf(q, sizeof q, "partners[%d]", i);
        read_partner(c, e, q, &p->partners[i]);
        for (int k = 0; k < i; k++)
            if (p->partners[i].id && p->partners[k].id &&
                strcmp(p->partners[i].id, p->partners[k].id) == 0) {
                snprintf(q, sizeof q, "partners[%d].id", i);
                fail(c, q, "duplicate partner id \"%s\"", p->partners[i].id);
            }
    }
}

/* "imeval-profile/1" or "imeval-profile/1.N"; another major is refused. */
static void read_format(vctx *c, const cJSON *j)
{
    static const char prefix[] = "imeval-profile/";
    if (!j) {
        fail(c, "format", "missing (required): expected \"%s\"", IMV_PROFILE_FORMAT);
        return;
    }
    if (!cJSON_IsString(j) || !j->valuestring) {
        fail(c, "format", "expected the string \"%s\", got %s", IMV_PROFILE_FORMAT, type_name(j));
        return;
    }
    const char *s = j->valuestring;
    if (strncmp(s, prefix, sizeof prefix - 1) != 0) {
        fail(c, "format", "\"%.40s\" is not an imeval profile format: expected \"%s\"", s,
             IMV_PROFILE_FORMAT);
        return;
    }
    const char *v = s + sizeof prefix - 1;
    char *end;
    long major = strtol(v, &end, 10);
    if (end == v || (*end && *end != '.')) {
        fail(c, "format", "\"%.40s\" has no version number: expected \"%s\"", s, IMV_PROFILE_FORMAT);
        return;
    }
    if (major != 1)
        fail(c, "format", "\"%.40s\" is major version %ld; this imeval reads version 1 (\"%s\")", s,
             major, IMV_PROFILE_FORMAT);
}

int imv_profile_from_json(const cJSON *json, const char *source, long line, int strict,
                          imv_profile **out, imv_diags *diags)
{
    return imv_profile_read(json, source, line, strict, line > 1, out, diags);
}

int imv_profile_read(const cJSON *json, const char *source, long line, int strict, int name_id,
                     imv_profile **out, imv_diags *diags)
{
    static const char *const keys[] = {"format",   "id",
                                       "name",     "as_of",
                                       "source",   "size",
                                       "ofsted",   "ratings",
                                       "facts",    "current_intervention",
                                       "partners", NULL};
    vctx c = {.diags = diags, .source = source, .line = line, .strict = strict};
    *out = NULL;
    if (!cJSON_IsObject(json)) {
        fail(&c, "", "expected a profile object, got %s", type_name(json));
        return IMV_EINVAL;
    }
    imv_profile *p = imv_xcalloc(1, sizeof *p);
    p->source = imv_xstrdup(source ? source : "-");
    p->line = line;
    p->serial = imv_profile_next_serial();
    p->child_population = p->children_in_care = IMV_UNKNOWN;
    p->grade = IMV_G_NOT_INSPECTED;
    c.extra = cJSON_CreateObject();
    /* Known before anything is checked, so that every message names it
     * (a file of many profiles, a CSV row); checked again by get_id. */
    const cJSON *idj = get(json, "id");
    if (name_id && cJSON_IsString(idj) && valid_id(idj->valuestring))
        c.id = idj->valuestring;

    check_keys(&c, json, "", keys, 1);
    read_format(&c, get(json, "format"));
    p->id = get_id(&c, json, "id", "", 1);
    p->name = get_string(&c, json, "name", "", 1, MAX_NAME);
    p->as_of = get_string(&c, json, "as_of", "", 1, MAX_DATE_TEXT);
    if (p->as_of && !imv_date_valid(p->as_of))
        fail(&c, "as_of", "\"%s\" is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD", p->as_of);
    p->src_note = get_string(&c, json, "source", "", 0, MAX_NOTE);
    read_size(&c, get(json, "size"), p);
    read_ofsted(&c, get(json, "ofsted"), p);
    read_ratings(&c, get(json, "ratings"), p);
    read_facts(&c, get(json, "facts"), p);
    read_intervention(&c, get(json, "current_intervention"), p);
    read_partners(&c, get(json, "partners"), p);

    if (c.extra && c.extra->child)
        p->extra_json = cJSON_PrintUnformatted(c.extra);
    cJSON_Delete(c.extra);
    if (c.errors) {
        imv_profile_free(p);
        return IMV_EINVAL;
    }
    imv_profile_derive(p);
    *out = p;
    return IMV_OK;
}

/* A partner council's own description (PROFILE-FORMAT.md) shares the
 * fields of a `partners` item; core/partner.c reads the rest.  `extra`
 * lists the description's own keys, which are not unknown here. */
int imv_partner_from_json(const cJSON *json, const char *source, const char *path,
                          const char *const *extra, imv_partner *out, imv_diags *diags)
{
    vctx c = {.diags = diags, .source = source};
    cJSON *copy = cJSON_IsObject(json) ? cJSON_Duplicate(json, 1) : NULL;
    for (const char *const *k = extra; copy && k && *k; k++)
        cJSON_DeleteItemFromObjectCaseSensitive(copy, *k);
    memset(out, 0, sizeof *out);
    read_partner(&c, copy ? copy : json, path, out);
    cJSON_Delete(copy);
    return c.errors ? IMV_EINVAL : IMV_OK;
}
