/*
 * conformance.c - `imeval check-model`: does one plugin file keep the rules
 * of the plugin guide?  Each check is reported through a callback as it
 * finishes (the command prints one line per check); the return value is
 * the number that failed, so CI can use the exit status.
 *
 * What is checked, in order: it loads; its ABI; its ids and texts; its
 * parameters; scores in range and no errors over generated profiles (from
 * core/synth.c, dated 2006-2025 so that every set of rules in force is
 * met, half of them at parameters drawn within their ranges); timelines
 * in range; a partner named is one of the profile's candidates; deterministic (a second worker, and a second call in the
 * same one, give identical results); every reason has text, evidence and
 * fields that name real profile paths; declared rating directions hold;
 * score-only calls agree with full ones; the batch path equals single
 * calls; time per evaluation; and behaviour under the sandbox limits (a
 * native model isolated in a child process, limits a tenth of the
 * defaults, to show the headroom).
 */
#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* ---- profile paths a reason may name ---------------------------------- */

static int in_set(const char *s, size_t n, const char *const *set)
{
    for (; *set; set++)
        if (strlen(*set) == n && strncmp(*set, s, n) == 0)
            return 1;
    return 0;
}

/* Skip one "[N]" index after a name; returns the rest. */
static const char *skip_index(const char *s)
{
    if (*s != '[')
        return s;
    const char *p = s + 1;
    while (*p >= '0' && *p <= '9')
        p++;
    return (*p == ']' && p > s + 1) ? p + 1 : s;
}

int imv_profile_path_valid(const char *path, size_t n)
{
    static const char *const top[] = {"id",       "name",  "as_of",
                                      "source",   "size",  "ofsted",
                                      "ratings",  "facts", "current_intervention",
                                      "partners", NULL};
    static const char *const size[] = {"child_population", "children_in_care", NULL};
    static const char *const ofsted[] = {"grade", "previous", "inspected", "judgements", NULL};
    static const char *const judgements[] = {"leadership",       "help_and_protection",
                                             "children_in_care", "care_leavers",
                                             "adoption",         NULL};
    static const char *const iv[] = {"model", "since", "partner", "kind", "progress", NULL};
    static const char *const partner[] = {"id",
                                          "name",
                                          "grade",
                                          "neighbouring",
                                          "child_population",
                                          "spare_leadership_capacity",
                                          "current_commitments",
                                          NULL};
    char buf[128];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, path, n);
    buf[n] = '\0';
    char *dot = strchr(buf, '.');
    size_t head = dot ? (size_t)(dot - buf) : n;
    const char *rest = dot ? dot + 1 : NULL;
    /* "partners[0]" and "ofsted.previous[1]" index an array. */
    const char *after = skip_index(buf + (strncmp(buf, "partners", 8) == 0 ? 8 : head));
    if (strncmp(buf, "partners", 8) == 0 && after != buf + 8) {
        if (*after == '\0')
            return 1;
        if (*after != '.')
            return 0;
        rest = after + 1;
        head = 8;
    }
    if (!in_set(buf, head, top))
        return 0;
    if (!rest)
        return 1;
    size_t rn = strlen(rest);
    if (strncmp(buf, "ratings", head) == 0 && head == 7)
        return imv_rating_index(rest) >= 0;
    if (strncmp(buf, "facts", head) == 0 && head == 5)
        return imv_fact_index(rest) >= 0;
    if (head == 4)
        return in_set(rest, rn, size);
    if (head == 6) {
        if (strncmp(rest, "judgements.", 11) == 0)
            return in_set(rest + 11, strlen(rest + 11), judgements);
        const char *ix = skip_index(rest + (strncmp(rest, "previous", 8) == 0 ? 8 : rn));
        if (strncmp(rest, "previous", 8) == 0 && ix != rest + 8)
            return *ix == '\0' || strcmp(ix, ".grade") == 0 || strcmp(ix, ".date") == 0;
        return in_set(rest, rn, ofsted);
    }
    if (head == 20) {
        /* "current_intervention.progress[0].finding" names one finding. */
        const char *ix = skip_index(rest + (strncmp(rest, "progress", 8) == 0 ? 8 : rn));
        if (strncmp(rest, "progress", 8) == 0 && ix != rest + 8) {
            static const char *const finding[] = {"date", "finding", "by", "note", NULL};
            return *ix == '\0' || (*ix == '.' && in_set(ix + 1, strlen(ix + 1), finding));
        }
        return in_set(rest, rn, iv);
    }
    if (head == 8)
        return in_set(rest, rn, partner);
    return 0;
}

/* ---- the run ---------------------------------------------------------- */

typedef struct ctx {
    const imv_check_opts *o;
    imv_check_cb cb;
    void *cb_ctx;
    int failed;
    imv_registry *reg;
    imv_model *m;
    imv_worker *w;
    size_t n; /* profiles */
    imv_profile **p;
    imv_profile_view *v;
    imv_partner_view **pv;
    double **params; /* per profile: defaults (even) or drawn (odd) */
    imv_result *r;   /* first pass, one per profile */
    double seconds;  /* of the first pass */
    double slowest;
} ctx;

static void report(ctx *c, const char *name, int status, double figure, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(ctx *c, const char *name, int status, double figure, const char *fmt, ...)
{
    imv_check k = {.name = name, .status = status, .figure = figure};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k.detail, sizeof k.detail, fmt, ap);
    va_end(ap);
    if (status == IMV_CHECK_FAIL)
        c->failed++;
    c->cb(c->cb_ctx, &k);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(ctx *c, const char *path, const imv_limits *limits, imv_registry **out, char *err,
                size_t errlen)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(limits);
    int rc = imv_registry_load_file(reg, path, 0, &d);
    if (rc < 0 || imv_registry_count(reg) != 1) {
        snprintf(err, errlen, "%s", d.n ? d.v[0].message : "no model in the file");
        imv_registry_free(reg);
        reg = NULL;
    }
    imv_diags_free(&d);
    (void)c;
    *out = reg;
    return reg ? 0 : -1;
}

/* The generated profiles, as views; half at drawn parameters. */
static int generate(ctx *c, char *err, size_t errlen)
{
    imv_synth_opts so = {2006, 2025, NULL};
    imv_synth *g = imv_synth_new_opts(c->o->seed, &so, err, errlen);
    if (!g)
        return -1;
    c->p = imv_xcalloc(c->n, sizeof *c->p);
    c->v = imv_xcalloc(c->n, sizeof *c->v);
    c->pv = imv_xcalloc(c->n, sizeof *c->pv);
    c->params = imv_xcalloc(c->n, sizeof *c->params);
    imv_rng rng;
    imv_rng_seed(&rng, c->o->seed, "check-model-params");
    size_t np = imv_model_param_count(c->m);
    int rc = 0;
    imv_diags d;
    imv_diags_init(&d);
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        cJSON *j = cJSON_Parse(imv_synth_profile(g, i, NULL));
        if (!j || imv_profile_from_json(j, "synth", (long)i + 1, 0, &c->p[i], &d) < 0 || !c->p[i]) {
            snprintf(err, errlen, "generated profile %zu does not read: %s", i,
                     d.n ? d.v[0].message : "?");
            rc = -1;
        }
        cJSON_Delete(j);
        if (rc)
            break;
        c->pv[i] = imv_xcalloc(c->p[i]->n_partners + 1, sizeof **c->pv);
        imv_profile_view_init(c->p[i], &c->v[i], c->pv[i]);
        c->params[i] = imv_xcalloc(np + 1, sizeof **c->params);
        for (size_t k = 0; k < np; k++) {
            const imv_param_def *pd = imv_model_param(c->m, k);
            c->params[i][k] = i % 2 == 0 ? pd->def
                                         : pd->min + (pd->max - pd->min) * imv_rng_uniform(&rng);
        }
    }
    imv_diags_free(&d);
    imv_synth_free(g);
    return rc;
}

static void free_all(ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->r)
            imv_result_clear(&c->r[i]);
        if (c->p)
            imv_profile_free(c->p[i]);
        if (c->pv)
            free(c->pv[i]);
        if (c->params)
            free(c->params[i]);
    }
    free(c->r);
    free(c->p);
    free(c->v);
    free(c->pv);
    free(c->params);
    imv_worker_free(c->w);
    imv_registry_free(c->reg);
}

/* mode: 0 a full call, 1 a score-only one (bulk draws), BRIEF a brief one
 * (a CSV), as imv_evaluate_brief makes it. */
#define BRIEF 2
static void score_one(imv_worker *w, const imv_model *m, const imv_profile *p,
                      const imv_profile_view *v, const double *params, int mode, imv_result *r)
{
    imv_profile_view sv = *v;
    if (mode == 1)
        sv.flags |= IMV_VIEW_SCORE_ONLY;
    if (mode == BRIEF)
        sv.flags |= IMV_VIEW_BRIEF;
    imv_result_reset(r, m, mode == 1);
    r->brief = mode == BRIEF;
    imv_worker_score(w, 0, &sv, p->serial, params, r);
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_num(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (a == b);
}

/* NULL when a and b are the same result, else what differs; mode as in
 * score_one: a score-only call's result holds the score and viability, a
 * brief one's those, the unmet preconditions, the timeline and the
 * partner, a full one's everything. */
static const char *differ(const imv_result *a, const imv_result *b, int mode)
{
    if (!same_text(a->error, b->error))
        return "error";
    if (a->error)
        return NULL;
    if (!same_num(a->score, b->score))
        return "score";
    if (a->viable != b->viable)
        return "viability";
    if (mode == 1)
        return NULL;
    if (mode != BRIEF && a->n_reasons != b->n_reasons)
        return "number of reasons";
    for (size_t i = 0; mode != BRIEF && i < a->n_reasons; i++) {
        const imv_reason *x = &a->reasons[i], *y = &b->reasons[i];
        if (!same_text(x->fields, y->fields) || !same_num(x->points, y->points) ||
            !same_text(x->text, y->text) || !same_text(x->evidence, y->evidence))
            return "a reason";
    }
    if (a->n_unmet != b->n_unmet || (mode != BRIEF && a->n_risks != b->n_risks))
        return mode == BRIEF ? "number of unmet preconditions" : "preconditions or risks";
    for (size_t i = 0; i < a->n_unmet; i++)
        if (strcmp(a->unmet[i], b->unmet[i]) != 0)
            return "an unmet precondition";
    for (size_t i = 0; mode != BRIEF && i < a->n_risks; i++)
        if (strcmp(a->risks[i], b->risks[i]) != 0)
            return "a risk";
    if (!same_num(a->setup_months, b->setup_months) ||
        !same_num(a->months_to_fair, b->months_to_fair) ||
        !same_num(a->months_to_good, b->months_to_good))
        return "the timeline";
    if (!same_text(a->partner_id, b->partner_id) || !same_num(a->partner_fit, b->partner_fit))
        return "the partner";
    if (mode == BRIEF)
        return NULL;
    if (a->n_fit_parts != b->n_fit_parts)
        return "the number of the partner fit's components";
    for (size_t i = 0; i < a->n_fit_parts; i++)
        if (strcmp(a->fit_parts[i].name, b->fit_parts[i].name) != 0 ||
            !same_num(a->fit_parts[i].points, b->fit_parts[i].points) ||
            strcmp(a->fit_parts[i].evidence, b->fit_parts[i].evidence) != 0)
            return "a component of the partner's fit";
    return NULL;
}

/* ---- the checks ------------------------------------------------------- */

static int version_ok(const char *s)
{
    int parts = 0;
    while (*s) {
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
        parts++;
        if (*s == '.')
            s++;
        else if (*s == '-' || *s == '+')
            return parts == 3;
        else if (*s)
            return 0;
    }
    return parts == 3;
}

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

static void check_ids(ctx *c, const char *path)
{
    const imv_model *m = c->m;
    const char *what = blank(imv_model_name(m))      ? "its name is empty"
                       : blank(imv_model_summary(m)) ? "its summary is empty"
                       : blank(imv_model_evidence(m))
                           ? "its evidence is empty: cite the research it rests on"
                       : !version_ok(imv_model_version(m)) ? "its version is not MAJOR.MINOR.PATCH"
                                                           : NULL;
    if (what) {
        report(c, "ids", IMV_CHECK_FAIL, 0, "model %s: %s", imv_model_id(m), what);
        return;
    }
    /* An id of a bundled model cannot be loaded beside the bundled set,
     * unless this is that model's own file. */
    const char *dir = imv_registry_bundled_dir();
    if (dir) {
        imv_limits l;
        imv_limits_default(&l);
        imv_registry *b = imv_registry_new(&l);
        imv_diags d;
        imv_diags_init(&d);
        imv_registry_load_dir(b, dir, 1, &d);
        const imv_model *twin = imv_registry_find(b, imv_model_id(m));
        char rp_a[PATH_MAX], rp_b[PATH_MAX];
        int clash = twin && !(realpath(path, rp_a) && realpath(imv_model_path(twin), rp_b) &&
                              strcmp(rp_a, rp_b) == 0);
        imv_diags_free(&d);
        imv_registry_free(b);
        if (clash) {
            /* A replacement for a bundled model is legitimate: say how to load it. */
            report(c, "ids", IMV_CHECK_PASS, 0,
                   "id %s, version %s; the id is also a bundled model's, so load it with "
                   "--no-bundled (or give it another id)",
                   imv_model_id(m), imv_model_version(m));
            return;
        }
    }
    report(c, "ids", IMV_CHECK_PASS, 0, "id %s, version %s, name, summary and evidence given",
           imv_model_id(m), imv_model_version(m));
}

static void check_params(ctx *c)
{
    size_t n = imv_model_param_count(c->m);
    for (size_t i = 0; i < n; i++) {
        const imv_param_def *p = imv_model_param(c->m, i);
        if (blank(p->description)) {
            report(c, "parameters", IMV_CHECK_FAIL, 0, "parameter %s has no description", p->name);
            return;
        }
        if (!(p->min < p->max)) {
            report(c, "parameters", IMV_CHECK_FAIL, 0,
                   "parameter %s has the empty range %g..%g: make it a constant, or give it room",
                   p->name, p->min, p->max);
            return;
        }
    }
    size_t drawn = 0;
    for (size_t i = 0; i < n; i++)
        drawn += imv_param_drawn(imv_model_param(c->m, i)) != 0;
    report(c, "parameters", IMV_CHECK_PASS, 0,
           "%zu parameter%s, each named, described, its default inside its range; %zu with a "
           "plausible range for draws%s",
           n, n == 1 ? "" : "s", drawn,
           imv_model_base_param(c->m) != (size_t)-1 ? "; the base score is a parameter" : "");
}

static void first_pass(ctx *c)
{
    c->r = imv_xcalloc(c->n, sizeof *c->r);
    double t0 = now();
    for (size_t i = 0; i < c->n; i++) {
        double t = now();
        score_one(c->w, c->m, c->p[i], &c->v[i], c->params[i], 0, &c->r[i]);
        t = now() - t;
        if (t > c->slowest)
            c->slowest = t;
    }
    c->seconds = now() - t0;
}

static void check_scores(ctx *c)
{
    size_t errors = 0, pinned = 0, first_err = 0;
    double lo = 100, hi = 0;
    for (size_t i = 0; i < c->n; i++) {
        const imv_result *r = &c->r[i];
        if (r->error) {
            if (!errors++)
                first_err = i;
            continue;
        }
        lo = fmin(lo, r->score);
        hi = fmax(hi, r->score);
        pinned += r->score == 0 || r->score == 100;
    }
    if (errors) {
        report(c, "scores", IMV_CHECK_FAIL, (double)errors,
               "%zu of %zu generated profiles failed; the first, %s: %s", errors, c->n,
               c->p[first_err]->id, c->r[first_err].error);
        return;
    }
    report(c, "scores", IMV_CHECK_PASS, 0,
           "%zu generated profiles (2006-2025, half at drawn parameters) scored, %.1f to %.1f, "
           "%.0f%% at 0 or 100",
           c->n, lo, hi, 100.0 * (double)pinned / (double)c->n);
}

static int months_ok(double m)
{
    return m == IMV_UNKNOWN || (isfinite(m) && m >= 0 && m <= 1200);
}

static void check_timelines(ctx *c)
{
    size_t given = 0;
    for (size_t i = 0; i < c->n; i++) {
        const imv_result *r = &c->r[i];
        if (r->error)
            continue;
        const char *bad = NULL;
        if (!months_ok(r->setup_months) || !months_ok(r->months_to_fair) ||
            !months_ok(r->months_to_good))
            bad = "months must be 0 to 1200, or unknown";
        else if (r->months_to_fair != IMV_UNKNOWN && r->months_to_good != IMV_UNKNOWN &&
                 r->months_to_fair > r->months_to_good)
            bad = "fair comes after good";
        if (bad) {
            report(c, "timelines", IMV_CHECK_FAIL, 0, "%s: set-up %g, fair %g, good %g: %s",
                   c->p[i]->id, r->setup_months, r->months_to_fair, r->months_to_good, bad);
            return;
        }
        given += r->months_to_good != IMV_UNKNOWN;
    }
    report(c, "timelines", IMV_CHECK_PASS, 0,
           "fair <= good, 0 to 1200 months, on every profile (%zu give months to good)", given);
}

/* The components a result gives of its partner's fit (imv_host's
 * partner_component) sum to that fit, each name once: 1 when they do, or
 * when it gives none; else 0 with what is wrong in buf. */
static int parts_sum(const imv_result *r, char *buf, size_t len)
{
    if (r->n_fit_parts == 0)
        return 1;
    double sum = 0;
    for (size_t i = 0; i < r->n_fit_parts; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->fit_parts[i].name, r->fit_parts[k].name) == 0) {
                snprintf(buf, len, "gives component %s of the fit twice", r->fit_parts[i].name);
                return 0;
            }
        sum += r->fit_parts[i].points;
    }
    /* A hundredth of a point: sums in another order differ in the last bits. */
    if (fabs(sum - r->partner_fit) <= 0.01)
        return 1;
    snprintf(buf, len,
             "fit %.2f, but its %zu components sum to %.2f (report the difference as "
             "a component, e.g. \"limit\" for clamping to 0..100)",
             r->partner_fit, r->n_fit_parts, sum);
    return 0;
}

/* A partner the model names must be one of the profile's candidates, and
 * the components of its fit, when given, sum to the fit. */
static void check_partners(ctx *c)
{
    size_t named = 0, itemised = 0;
    for (size_t i = 0; i < c->n; i++) {
        const imv_result *r = &c->r[i];
        if (r->error || !r->partner_id)
            continue;
        const imv_profile *p = c->p[i];
        int found = 0;
        for (size_t k = 0; k < p->n_partners && !found; k++)
            found = strcmp(p->partners[k].id, r->partner_id) == 0;
        if (!found) {
            report(c, "partners", IMV_CHECK_FAIL, 0,
                   "%s: names partner \"%.60s\", which is not among the profile's %zu "
                   "candidate%s",
                   p->id, r->partner_id, p->n_partners, p->n_partners == 1 ? "" : "s");
            return;
        }
        char why[200];
        if (!parts_sum(r, why, sizeof why)) {
            report(c, "partners", IMV_CHECK_FAIL, 0, "%s: partner \"%.60s\": %s", p->id,
                   r->partner_id, why);
            return;
        }
        named++;
        itemised += r->n_fit_parts > 0;
    }
    report(c, "partners", IMV_CHECK_PASS, 0,
           "%zu results name a partner, each one of the profile's candidates; %zu itemise its "
           "fit, and the components sum to it",
           named, itemised);
}

static void check_determinism(ctx *c)
{
    imv_worker *w2 = imv_worker_new(c->reg);
    imv_result r;
    memset(&r, 0, sizeof r);
    const char *what = NULL;
    size_t at = 0;
    const char *how = "";
    for (size_t i = 0; i < c->n && !what; i++) {
        /* Backwards, so a model that depended on the order of calls shows it. */
        size_t k = c->n - 1 - i;
        score_one(w2, c->m, c->p[k], &c->v[k], c->params[k], 0, &r);
        what = differ(&c->r[k], &r, 0);
        how = "a second worker, profiles in reverse order,";
        if (!what) {
            imv_result_clear(&r);
            score_one(c->w, c->m, c->p[k], &c->v[k], c->params[k], 0, &r);
            what = differ(&c->r[k], &r, 0);
            how = "a second call in the same worker";
        }
        imv_result_clear(&r);
        at = k;
    }
    imv_worker_free(w2);
    if (what)
        report(c, "determinism", IMV_CHECK_FAIL, 0,
               "%s: %s gave another %s (no clock, randomness or state kept between calls)",
               c->p[at]->id, how, what);
    else
        report(c, "determinism", IMV_CHECK_PASS, 0,
               "the same %zu results from a second worker and from a second call", c->n);
}

/* The first field of a comma-separated list that is not a profile path. */
static const char *bad_field(const char *fields, size_t *len)
{
    for (const char *s = fields; s && *s;) {
        while (*s == ' ')
            s++;
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n && s[n - 1] == ' ')
            n--;
        if (!imv_profile_path_valid(s, n)) {
            *len = n;
            return s;
        }
        s = e ? e + 1 : NULL;
    }
    return NULL;
}

static void check_reasons(ctx *c)
{
    size_t total = 0;
    for (size_t i = 0; i < c->n; i++) {
        const imv_result *r = &c->r[i];
        if (r->error)
            continue;
        if (r->n_reasons == 0) {
            report(c, "reasons", IMV_CHECK_FAIL, 0,
                   "%s: score %.1f with no reason: give one reason per factor that moved it",
                   c->p[i]->id, r->score);
            return;
        }
        for (size_t k = 0; k < r->n_reasons; k++) {
            const imv_reason *x = &r->reasons[k];
            size_t n = 0;
            const char *bad = NULL;
            if (blank(x->text))
                bad = "has no text";
            else if (blank(x->evidence))
                bad = "cites no evidence: name the document and chapter or case it rests on";
            /* "" is the SDK's convention for a reason that rests on no
             * field (the base score, imv_acc_base). */
            const char *f = bad || !x->fields || !*x->fields ? NULL : bad_field(x->fields, &n);
            if (bad || f) {
                if (f)
                    report(c, "reasons", IMV_CHECK_FAIL, 0,
                           "%s: reason \"%.80s\" names \"%.*s\", which is not a profile field "
                           "(e.g. ratings.acceptance, facts.agency_rate, ofsted.grade)",
                           c->p[i]->id, x->text, (int)n, f);
                else
                    report(c, "reasons", IMV_CHECK_FAIL, 0, "%s: reason \"%.80s\" %s", c->p[i]->id,
                           x->text ? x->text : "", bad);
                return;
            }
            total++;
        }
    }
    report(c, "reasons", IMV_CHECK_PASS, 0,
           "%zu reasons, each with text, evidence, and fields that name profile paths (or none, "
           "for the base score)",
           total);
}

/* Declared directions: raising a rating declared +1 never lowers the
 * score, -1 never raises it, 0 never moves it (full steps of 0.5 over
 * every profile, parameters at their defaults). */
/* The directions a model declares in its definition (+1, -1, 0, or
 * IMV_DIR_UNDECLARED); returns how many it declares. */
static int model_directions(const imv_model *m, int *dir)
{
    int n = 0;
    for (int k = 0; k < IMV_R_COUNT; k++) {
        dir[k] = imv_model_direction(m, k);
        n += dir[k] != IMV_DIR_UNDECLARED;
    }
    return n;
}

static void check_directions(ctx *c)
{
    int dir[IMV_R_COUNT];
    int declared = model_directions(c->m, dir);
    if (!declared) {
        report(c, "directions", IMV_CHECK_SKIP, 0,
               "the model declares no rating directions, so none are tested");
        return;
    }
    imv_result a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    size_t tested = 0;
    for (size_t i = 0; i < c->n; i += 2) {
        for (int k = 0; k < IMV_R_COUNT; k++) {
            if (dir[k] == IMV_DIR_UNDECLARED)
                continue;
            imv_profile_view v = c->v[i];
            if (v.ratings[k] > 3.5)
                continue;
            score_one(c->w, c->m, c->p[i], &v, c->params[i], 1, &a);
            v.ratings[k] += 0.5;
            score_one(c->w, c->m, c->p[i], &v, c->params[i], 1, &b);
            double d = b.score - a.score;
            int ok = a.error || b.error ||
                     (dir[k] > 0   ? d >= -1e-9
                      : dir[k] < 0 ? d <= 1e-9
                                   : fabs(d) <= 1e-9);
            double sa = a.score, sb = b.score;
            imv_result_clear(&a);
            imv_result_clear(&b);
            if (!ok) {
                report(c, "directions", IMV_CHECK_FAIL, 0,
                       "%s: %s %g -> %g moved the score %.2f -> %.2f, against its declared "
                       "direction (%s)",
                       c->p[i]->id, imv_rating_name(k), c->v[i].ratings[k],
                       c->v[i].ratings[k] + 0.5, sa, sb,
                       dir[k] > 0   ? "never lowers"
                       : dir[k] < 0 ? "never raises"
                                    : "no effect");
                return;
            }
            tested++;
        }
    }
    report(c, "directions", IMV_CHECK_PASS, 0,
           "%d declared rating directions hold over %zu single-rating steps", declared, tested);
}

static void check_score_only(ctx *c)
{
    imv_result r;
    memset(&r, 0, sizeof r);
    for (size_t i = 0; i < c->n; i++) {
        score_one(c->w, c->m, c->p[i], &c->v[i], c->params[i], 1, &r);
        const char *what = differ(&c->r[i], &r, 1);
        imv_result_clear(&r);
        if (what) {
            report(c, "score_only", IMV_CHECK_FAIL, 0,
                   "%s: a score-only call (bulk draws) gave another %s than the full call",
                   c->p[i]->id, what);
            return;
        }
    }
    report(c, "score_only", IMV_CHECK_PASS, 0,
           "score-only calls give the full calls' score and viability");
}

static void check_brief(ctx *c)
{
    imv_result r;
    memset(&r, 0, sizeof r);
    for (size_t i = 0; i < c->n; i++) {
        score_one(c->w, c->m, c->p[i], &c->v[i], c->params[i], BRIEF, &r);
        const char *what = differ(&c->r[i], &r, BRIEF);
        imv_result_clear(&r);
        if (what) {
            report(c, "brief", IMV_CHECK_FAIL, 0,
                   "%s: a brief call (IMV_VIEW_BRIEF, p.brief: a CSV) differs from the full "
                   "call in %s",
                   c->p[i]->id, what);
            return;
        }
    }
    report(c, "brief", IMV_CHECK_PASS, 0,
           "brief calls give the full calls' score, preconditions, timeline and partner");
}

/* Batch against single calls, both through w (in-process: an isolated
 * model has no batch path).  Fills k. */
static void batch_against_single(ctx *c, imv_worker *w, const imv_model *m, imv_check *k)
{
    enum { CHUNK = 64 };
    imv_profile_view views[CHUNK];
    const imv_profile_view *vp[CHUNK];
    const double *pp[CHUNK];
    imv_result res[CHUNK], one;
    imv_result *rp[CHUNK];
    /* imv_result_reset clears what it is given: start from zero. */
    memset(res, 0, sizeof res);
    memset(&one, 0, sizeof one);
    for (int so = 0; so < 2; so++) {
        for (size_t i = 0; i < c->n; i += CHUNK) {
            size_t n = c->n - i < CHUNK ? c->n - i : CHUNK;
            for (size_t j = 0; j < n; j++) {
                views[j] = c->v[i + j];
                if (so)
                    views[j].flags |= IMV_VIEW_SCORE_ONLY;
                vp[j] = &views[j];
                pp[j] = c->params[i + j];
                imv_result_reset(&res[j], m, so);
                rp[j] = &res[j];
            }
            imv_worker_score_batch(w, 0, vp, 0, pp, n, rp);
            const char *what = NULL;
            size_t at = 0;
            for (size_t j = 0; j < n; j++) {
                if (!what) {
                    score_one(w, m, c->p[i + j], &c->v[i + j], c->params[i + j], so, &one);
                    if ((what = differ(&one, &res[j], so)))
                        at = i + j;
                    imv_result_clear(&one);
                }
                imv_result_clear(&res[j]);
            }
            if (what) {
                k->status = IMV_CHECK_FAIL;
                snprintf(k->detail, sizeof k->detail,
                         "%s: the batch path (%s) gave another %s than a single call", c->p[at]->id,
                         so ? "score only" : "full", what);
                return;
            }
        }
    }
    k->status = IMV_CHECK_PASS;
    snprintf(k->detail, sizeof k->detail,
             "the batch path gives what single calls give, full and score-only, on %zu profiles",
             c->n);
}

static void batch_in_process(ctx *c, const char *path, imv_check *k)
{
    imv_limits l = c->o->limits;
    l.isolate = 0;
    imv_registry *reg;
    if (load(c, path, &l, &reg, k->detail, sizeof k->detail)) {
        k->status = IMV_CHECK_FAIL;
        return;
    }
    imv_worker *w = imv_worker_new(reg);
    batch_against_single(c, w, imv_registry_get(reg, 0), k);
    imv_worker_free(w);
    imv_registry_free(reg);
}

/* A native model's batch path runs in-process, so in a child of ours: a
 * crash there is a failed check, not a crashed checker. */
static void check_batch(ctx *c, const char *path)
{
    imv_check k = {.name = "batch"};
    if (!c->m->has_batch) {
        report(c, "batch", IMV_CHECK_PASS, 0, "no batch path: bulk draws use single calls");
        return;
    }
    if (strcmp(imv_model_language(c->m), "lua") == 0) {
        batch_in_process(c, path, &k);
        report(c, "batch", k.status, 0, "%s", k.detail);
        return;
    }
    int fd[2];
    if (pipe(fd) != 0) {
        report(c, "batch", IMV_CHECK_FAIL, 0, "cannot start a process to test it in");
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        batch_in_process(c, path, &k);
        ssize_t wr = write(fd[1], &k, sizeof k);
        _exit(wr == (ssize_t)sizeof k ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = pid > 0 ? read(fd[0], &k, sizeof k) : -1;
    close(fd[0]);
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    if (got != (ssize_t)sizeof k) {
        report(c, "batch", IMV_CHECK_FAIL, 0, "the batch path %s",
               pid > 0 && WIFSIGNALED(st) ? "crashed the process (signal)" : "did not finish");
        return;
    }
    report(c, "batch", k.status, 0, "%s", k.detail);
}

static void check_speed(ctx *c)
{
    double us = c->seconds / (double)c->n * 1e6;
    report(c, "speed", IMV_CHECK_PASS, us, "%.1f us per evaluation on average, slowest %.1f ms%s", us,
           c->slowest * 1e3, imv_model_isolated(c->m) ? " (isolated: includes the round trip)" : "");
}

/* In the sandbox: a native model in a child process, a Lua model in its
 * sandboxed state, at the default limits (every result as in the first
 * pass, or the model depends on running in-process), then at a tenth of
 * them, to show the headroom. */
static int sandbox_pass(ctx *c, const char *path, const imv_limits *l, size_t n, int compare,
                        size_t *errors, size_t *first, char *msg, size_t msglen)
{
    imv_registry *reg;
    if (load(c, path, l, &reg, msg, msglen))
        return -1;
    imv_worker *w = imv_worker_new(reg);
    imv_model *m = imv_registry_get(reg, 0);
    imv_result r;
    memset(&r, 0, sizeof r);
    *errors = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        score_one(w, m, c->p[i], &c->v[i], c->params[i], 0, &r);
        const char *what = compare ? differ(&c->r[i], &r, 0) : NULL;
        if ((r.error || what) && !(*errors)++) {
            *first = i;
            snprintf(msg, msglen, "%s", r.error ? r.error : what);
            if (what && !r.error && compare)
                rc = 1;
        }
        imv_result_clear(&r);
    }
    imv_worker_free(w);
    imv_registry_free(reg);
    return rc;
}

static void check_limits(ctx *c, const char *path)
{
    imv_limits l = c->o->limits;
    l.isolate = 1;
    size_t n = c->n < 200 ? c->n : 200, errors = 0, first = 0;
    char msg[600] = "";
    const char *where = strcmp(imv_model_language(c->m), "lua") == 0 ? "the Lua sandbox"
                                                                     : "a child process";
    int rc = sandbox_pass(c, path, &l, n, 1, &errors, &first, msg, sizeof msg);
    if (rc < 0) {
        report(c, "limits", IMV_CHECK_FAIL, 0, "does not load in %s: %s", where, msg);
        return;
    }
    if (errors) {
        report(c, "limits", IMV_CHECK_FAIL, (double)errors,
               "in %s at the default limits, %zu of %zu profiles differ or fail; the first, %s: %s",
               where, errors, n, c->p[first]->id, msg);
        return;
    }
    if (l.lua_instructions > 0)
        l.lua_instructions = l.lua_instructions / 10 > 0 ? l.lua_instructions / 10 : 1;
    if (l.lua_memory > 0)
        l.lua_memory /= 4;
    l.isolate_timeout /= 10;
    rc = sandbox_pass(c, path, &l, n, 0, &errors, &first, msg, sizeof msg);
    if (rc == 0 && errors)
        report(c, "limits", IMV_CHECK_PASS, (double)errors,
               "%zu profiles in %s give the same results; %zu need more than a tenth of the "
               "default limits (%s: %s)",
               n, where, errors, c->p[first]->id, msg);
    else
        report(c, "limits", IMV_CHECK_PASS, 0,
               "%zu profiles in %s give the same results, within a tenth of the default "
               "limits",
               n, where);
}

int imv_check_model(const char *path, const imv_check_opts *o, imv_check_cb cb, void *cb_ctx)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.cb = cb;
    c.cb_ctx = cb_ctx;
    c.n = o->profiles ? o->profiles : 2000;
    char err[1024];
    static const char *const after_load[] = {"ids",        "parameters",  "scores",  "timelines",
                                             "partners",   "determinism", "reasons", "directions",
                                             "score_only", "brief",       "batch",   "speed",
                                             "limits",     NULL};
    if (load(&c, path, &o->limits, &c.reg, err, sizeof err)) {
        report(&c, "load", IMV_CHECK_FAIL, 0, "%s", err);
        int abi = strstr(err, "ABI") != NULL;
        report(&c, "abi", abi ? IMV_CHECK_FAIL : IMV_CHECK_SKIP, 0, "%s", abi ? err : "not loaded");
        for (size_t i = 0; after_load[i]; i++)
            report(&c, after_load[i], IMV_CHECK_SKIP, 0, "not loaded");
        return c.failed;
    }
    c.m = imv_registry_get(c.reg, 0);
    report(&c, "load", IMV_CHECK_PASS, 0, "%s model %s from %s%s", imv_model_language(c.m),
           imv_model_id(c.m), path, imv_model_isolated(c.m) ? ", isolated" : "");
    if (strcmp(imv_model_language(c.m), "lua") == 0)
        report(&c, "abi", IMV_CHECK_PASS, 0, "a Lua script: the imeval library of engine %s",
               IMV_VERSION);
    else
        report(&c, "abi", IMV_CHECK_PASS, 0, "built for plugin ABI %d, the engine's", IMV_PLUGIN_ABI);
    check_ids(&c, path);
    check_params(&c);
    c.w = imv_worker_new(c.reg);
    if (generate(&c, err, sizeof err)) {
        report(&c, "scores", IMV_CHECK_FAIL, 0, "%s", err);
        for (size_t i = 3; after_load[i]; i++)
            report(&c, after_load[i], IMV_CHECK_SKIP, 0, "no profiles to score");
        free_all(&c);
        return c.failed;
    }
    first_pass(&c);
    check_scores(&c);
    check_timelines(&c);
    check_partners(&c);
    check_determinism(&c);
    check_reasons(&c);
    check_directions(&c);
    check_score_only(&c);
    check_brief(&c);
    check_batch(&c, path);
    check_speed(&c);
    check_limits(&c, path);
    free_all(&c);
    return c.failed;
}
