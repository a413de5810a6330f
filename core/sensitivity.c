/*
 * sensitivity.c - tipping points (see sensitivity.h for what and why).
 *
 * Everything here is a function of "which model ranks first if this one
 * value were x": a score-only call of every model (or, for a parameter,
 * of the one model it belongs to, ranked with the others' scores at the
 * point values) and the same ranking as an evaluation.  Scans go through
 * imv_worker_score_batch, so a model's batch path is used when it has one.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define STEP 0.01     /* the rating scan */
#define GRID 401      /* 0, 0.01, ..., 4 */
#define PARAM_GRID 81 /* points over a parameter's range */
#define BISECT 1e-5   /* relative to the range scanned */

typedef struct sctx {
    imv_worker *w;
    imv_registry *reg;
    const imv_profile *p;
    size_t n;
    imv_profile_view base;
    imv_partner_view *pb;
    imv_result *base_res; /* n: at the point values */
    size_t first;
    imv_result *tmp; /* n: scratch */
    size_t *order;
    /* the rating scan */
    imv_profile_view *views; /* GRID */
    imv_result *grid;        /* GRID x n */
    size_t firsts[IMV_R_COUNT][GRID];
} sctx;

static double grid_x(size_t k)
{
    return (double)k * STEP;
}

static int first_viable(const imv_result *r)
{
    return r->viable && !r->error;
}

/* ---- "who is first if ..." -------------------------------------------------- */

/* With rating r at x. */
static size_t first_rating(sctx *c, int r, double x, int *viable)
{
    imv_profile_view v = c->base;
    v.ratings[r] = x;
    for (size_t m = 0; m < c->n; m++) {
        imv_model *mod = imv_registry_get(c->reg, m);
        imv_result_reset(&c->tmp[m], mod, 1);
        imv_worker_score(c->w, m, &v, c->p->serial, mod->values, &c->tmp[m]);
    }
    imv_rank(c->tmp, c->n, c->order);
    if (viable)
        *viable = first_viable(&c->tmp[c->order[0]]);
    return c->order[0];
}

/* With parameter j of model mm at x: only that model is scored again. */
static size_t first_param(sctx *c, size_t mm, size_t j, double x, int *viable, double *score)
{
    imv_model *mod = imv_registry_get(c->reg, mm);
    double *pv = imv_xmalloc((mod->n_params ? mod->n_params : 1) * sizeof *pv);
    memcpy(pv, mod->values, mod->n_params * sizeof *pv);
    pv[j] = x;
    imv_result r;
    memset(&r, 0, sizeof r);
    imv_result_reset(&r, mod, 1);
    imv_worker_score(c->w, mm, &c->base, c->p->serial, pv, &r);
    /* The others as at the point values: shallow copies, only ranked. */
    imv_result *row = imv_xmalloc(c->n * sizeof *row);
    memcpy(row, c->base_res, c->n * sizeof *row);
    row[mm] = r;
    imv_rank(row, c->n, c->order);
    size_t f = c->order[0];
    if (viable)
        *viable = first_viable(&row[f]);
    if (score)
        *score = r.has_score ? r.score : NAN;
    free(row);
    imv_result_clear(&r);
    free(pv);
    return f;
}

/* The question a search asks at x: rating r, or parameter (mm, j). */
typedef struct probe {
    int rating; /* -1 for a parameter */
    size_t mm, j;
    size_t want; /* IMV_SENS_NONE: "first is not c->first"; else "first is want" */
} probe;

static size_t probe_first(sctx *c, const probe *q, double x, int *viable)
{
    return q->rating >= 0 ? first_rating(c, q->rating, x, viable)
                          : first_param(c, q->mm, q->j, x, viable, NULL);
}

static int probe_hit(sctx *c, const probe *q, size_t f)
{
    return q->want == IMV_SENS_NONE ? f != c->first : f == q->want;
}

static double round_to(double x, double unit)
{
    return round(x / unit) * unit + 0.0;
}

/* lo does not satisfy the probe, hi does, |hi - lo| is one scan step:
 * narrow it down, then report a round value past the boundary that still
 * satisfies it (the boundary rounded, or one unit further), or the
 * boundary itself.  unit: the rounding; [vmin, vmax]: the allowed range. */
static void refine(sctx *c, const probe *q, double lo, double hi, double unit, double vmin,
                   double vmax, imv_tip *t)
{
    double eps = BISECT * (vmax - vmin);
    while (fabs(hi - lo) > eps) {
        double mid = (lo + hi) / 2;
        if (probe_hit(c, q, probe_first(c, q, mid, NULL)))
            hi = mid;
        else
            lo = mid;
    }
    double dir = hi > lo ? 1 : -1;
    double cand[3] = {round_to(hi, unit), round_to(hi, unit) + dir * unit, hi};
    for (int i = 0; i < 3; i++) {
        double x = cand[i];
        if (x < vmin || x > vmax || (x - lo) * dir <= 0)
            continue;
        int viable;
        size_t f = probe_first(c, q, x, &viable);
        if (probe_hit(c, q, f)) {
            t->found = 1;
            t->to = x;
            t->first = f;
            t->first_viable = viable;
            return;
        }
    }
    /* Only reached if the boundary moved under us; report what the scan saw. */
    int viable;
    t->found = 1;
    t->to = hi;
    t->first = probe_first(c, q, hi, &viable);
    t->first_viable = viable;
}

/* ---- ratings ------------------------------------------------------------------ */

static void scan_rating(sctx *c, int r)
{
    size_t n = c->n;
    const imv_profile_view **vp = imv_xmalloc(GRID * sizeof *vp);
    const double **pp = imv_xmalloc(GRID * sizeof *pp);
    imv_result **rp = imv_xmalloc(GRID * sizeof *rp);
    for (size_t k = 0; k < GRID; k++) {
        c->views[k] = c->base;
        c->views[k].ratings[r] = grid_x(k);
        vp[k] = &c->views[k];
    }
    for (size_t m = 0; m < n; m++) {
        imv_model *mod = imv_registry_get(c->reg, m);
        for (size_t k = 0; k < GRID; k++) {
            rp[k] = &c->grid[k * n + m];
            imv_result_reset(rp[k], mod, 1);
            pp[k] = mod->values;
        }
        imv_worker_score_batch(c->w, m, vp, c->p->serial, pp, GRID, rp);
    }
    for (size_t k = 0; k < GRID; k++) {
        imv_rank(&c->grid[k * n], n, c->order);
        c->firsts[r][k] = c->order[0];
    }
    free(vp);
    free(pp);
    free(rp);
}

static void rating_tips(sctx *c, int r, imv_rating_sens *rs)
{
    double b = rs->value;
    probe q = {.rating = r, .want = IMV_SENS_NONE};
    /* up: the first grid point above b where another model is first */
    for (size_t k = 0; k < GRID; k++) {
        if (grid_x(k) <= b + 1e-12 || c->firsts[r][k] == c->first)
            continue;
        double lo = k > 0 && grid_x(k - 1) > b ? grid_x(k - 1) : b;
        refine(c, &q, lo, grid_x(k), STEP, 0, 4, &rs->up);
        break;
    }
    /* down: the first below */
    for (size_t k = GRID; k-- > 0;) {
        if (grid_x(k) >= b - 1e-12 || c->firsts[r][k] == c->first)
            continue;
        double lo = k + 1 < GRID && grid_x(k + 1) < b ? grid_x(k + 1) : b;
        refine(c, &q, lo, grid_x(k), STEP, 0, 4, &rs->down);
        break;
    }
}

/* For model m (not first): the nearest value of each rating that puts it
 * first, refined; the options sorted nearest first. */
static void model_tip(sctx *c, size_t m, const imv_sensitivity *s, imv_model_tip *t)
{
    for (int r = 0; r < IMV_R_COUNT; r++) {
        double b = s->ratings[r].value;
        size_t best = GRID;
        for (size_t k = 0; k < GRID; k++)
            if (c->firsts[r][k] == m && (best == GRID || fabs(grid_x(k) - b) < fabs(grid_x(best) - b)))
                best = k;
        if (best == GRID)
            continue;
        double x = grid_x(best), lo;
        if (x > b)
            lo = best > 0 && grid_x(best - 1) > b ? grid_x(best - 1) : b;
        else
            lo = best + 1 < GRID && grid_x(best + 1) < b ? grid_x(best + 1) : b;
        if (lo == x) /* b itself is on the grid and m is first there: cannot be */
            continue;
        probe q = {.rating = r, .want = m};
        imv_tip tip = {0};
        refine(c, &q, lo, x, STEP, 0, 4, &tip);
        if (!tip.found)
            continue;
        size_t i = t->n_options++;
        t->options[i].rating = r;
        t->options[i].to = tip.to;
        /* keep nearest first (insertion) */
        while (i > 0 && fabs(t->options[i].to - s->ratings[t->options[i].rating].value) <
                            fabs(t->options[i - 1].to - s->ratings[t->options[i - 1].rating].value)) {
            __typeof__(t->options[0]) tmp = t->options[i];
            t->options[i] = t->options[i - 1];
            t->options[i - 1] = tmp;
            i--;
        }
    }
    if (t->n_options) {
        t->found = 1;
        t->rating = t->options[0].rating;
        t->to = t->options[0].to;
    }
}

/* ---- parameters ------------------------------------------------------------- */

static double param_unit(double range)
{
    return pow(10, floor(log10(range)) - 2);
}

static void param_scan(sctx *c, size_t mm, size_t j, imv_param_sens *ps)
{
    imv_model *mod = imv_registry_get(c->reg, mm);
    const imv_param_def *d = &mod->params[j];
    ps->model = mm;
    ps->param = j;
    ps->value = mod->values[j];
    ps->min = d->min;
    ps->max = d->max;
    double range = d->max - d->min, v = ps->value;
    size_t firsts[PARAM_GRID];
    double lo_s = INFINITY, hi_s = -INFINITY;
    size_t differ = 0;
    for (size_t k = 0; k < PARAM_GRID; k++) {
        double x = d->min + range * (double)k / (PARAM_GRID - 1), sc;
        firsts[k] = first_param(c, mm, j, x, NULL, &sc);
        differ += firsts[k] != c->first;
        if (!isnan(sc)) {
            lo_s = sc < lo_s ? sc : lo_s;
            hi_s = sc > hi_s ? sc : hi_s;
        }
    }
    ps->share = (double)differ / PARAM_GRID;
    ps->swing = hi_s >= lo_s ? hi_s - lo_s : 0;
    size_t best = PARAM_GRID;
    for (size_t k = 0; k < PARAM_GRID; k++) {
        double x = d->min + range * (double)k / (PARAM_GRID - 1);
        if (firsts[k] != c->first &&
            (best == PARAM_GRID ||
             fabs(x - v) < fabs(d->min + range * (double)best / (PARAM_GRID - 1) - v)))
            best = k;
    }
    if (best == PARAM_GRID)
        return;
    double x = d->min + range * (double)best / (PARAM_GRID - 1), lo;
    double step = range / (PARAM_GRID - 1);
    lo = x > v ? (x - step > v ? x - step : v) : (x + step < v ? x + step : v);
    probe q = {.rating = -1, .mm = mm, .j = j, .want = IMV_SENS_NONE};
    refine(c, &q, lo, x, param_unit(range), d->min, d->max, &ps->tip);
}

static int cmp_params(const void *a, const void *b)
{
    const imv_param_sens *x = a, *y = b;
    if (x->tip.found != y->tip.found)
        return x->tip.found ? -1 : 1;
    if (x->tip.found) {
        double dx = fabs(x->tip.to - x->value) / (x->max - x->min);
        double dy = fabs(y->tip.to - y->value) / (y->max - y->min);
        if (dx != dy)
            return dx < dy ? -1 : 1;
    } else if (x->swing != y->swing) {
        return x->swing > y->swing ? -1 : 1;
    }
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    return x->param < y->param ? -1 : x->param > y->param;
}

/* ---- the whole analysis -------------------------------------------------------- */

int imv_sensitivity_run(imv_worker *w, const imv_profile *p, imv_sensitivity **out)
{
    imv_registry *reg = imv_worker_registry(w);
    size_t n = imv_registry_count(reg);
    *out = NULL;
    if (n == 0)
        return IMV_EINVAL;
    sctx *c = imv_xcalloc(1, sizeof *c);
    c->w = w;
    c->reg = reg;
    c->p = p;
    c->n = n;
    c->pb = imv_xcalloc(p->n_partners, sizeof *c->pb);
    imv_profile_view_init(p, &c->base, c->pb);
    imv_profile_view_expect(&c->base, p, reg);
    c->base.flags = IMV_VIEW_SCORE_ONLY;
    c->base_res = imv_xcalloc(n, sizeof *c->base_res);
    c->tmp = imv_xcalloc(n, sizeof *c->tmp);
    c->order = imv_xcalloc(n, sizeof *c->order);
    c->views = imv_xcalloc(GRID, sizeof *c->views);
    c->grid = imv_xcalloc(GRID * n, sizeof *c->grid);

    imv_sensitivity *s = imv_xcalloc(1, sizeof *s);
    s->n = n;
    s->score = imv_xcalloc(n, sizeof *s->score);
    s->rank = imv_xcalloc(n, sizeof *s->rank);
    s->viable = imv_xcalloc(n, sizeof *s->viable);
    s->models = imv_xcalloc(n, sizeof *s->models);

    /* The point values. */
    for (size_t m = 0; m < n; m++) {
        imv_model *mod = imv_registry_get(reg, m);
        imv_result_reset(&c->base_res[m], mod, 1);
        imv_worker_score(w, m, &c->base, p->serial, mod->values, &c->base_res[m]);
        s->score[m] = c->base_res[m].has_score ? c->base_res[m].score : NAN;
        s->viable[m] = first_viable(&c->base_res[m]);
    }
    imv_rank(c->base_res, n, c->order);
    for (size_t r = 0; r < n; r++)
        s->rank[c->order[r]] = r + 1;
    c->first = s->first = c->order[0];
    s->first_viable = s->viable[s->first];
    s->first_score = s->score[s->first];
    s->second = n > 1 ? c->order[1] : IMV_SENS_NONE;
    s->margin = n > 1 ? s->score[s->first] - s->score[s->second] : NAN;

    for (int r = 0; r < IMV_R_COUNT; r++) {
        imv_rating_sens *rs = &s->ratings[r];
        const imv_range *g = &p->ratings[r];
        rs->value = c->base.ratings[r];
        rs->uncertain = g->kind != 0;
        rs->low = g->low;
        rs->high = g->high;
        scan_rating(c, r);
        rating_tips(c, r, rs);
    }
    for (size_t m = 0; m < n; m++)
        if (m != s->first)
            model_tip(c, m, s, &s->models[m]);

    for (size_t m = 0; m < n; m++)
        s->n_params += imv_registry_get(reg, m)->n_params;
    s->params = imv_xcalloc(s->n_params ? s->n_params : 1, sizeof *s->params);
    size_t k = 0;
    for (size_t m = 0; m < n; m++) {
        imv_model *mod = imv_registry_get(reg, m);
        for (size_t j = 0; j < mod->n_params; j++) {
            if (mod->params[j].max > mod->params[j].min)
                param_scan(c, m, j, &s->params[k++]);
        }
    }
    s->n_params = k;
    qsort(s->params, s->n_params, sizeof *s->params, cmp_params);

    s->n_partners = p->n_partners < IMV_SENS_MAX_PARTNERS ? p->n_partners : IMV_SENS_MAX_PARTNERS;
    s->partners = imv_xcalloc(s->n_partners ? s->n_partners : 1, sizeof *s->partners);
    for (size_t i = 0; i < s->n_partners; i++)
        imv_partner_sensitivity(w, p, &p->partners[i], &s->partners[i]);

    for (size_t i = 0; i < GRID * n; i++)
        imv_result_clear(&c->grid[i]);
    for (size_t m = 0; m < n; m++) {
        imv_result_clear(&c->base_res[m]);
        imv_result_clear(&c->tmp[m]);
    }
    free(c->grid);
    free(c->views);
    free(c->order);
    free(c->tmp);
    free(c->base_res);
    free(c->pb);
    free(c);
    *out = s;
    return IMV_OK;
}

void imv_sensitivity_free(imv_sensitivity *s)
{
    if (!s)
        return;
    free(s->score);
    free(s->rank);
    free(s->viable);
    free(s->models);
    free(s->params);
    free(s->partners);
    free(s);
}

/* ---- output ------------------------------------------------------------------- */

/* A value as people write it: at least one decimal, at most the digits
 * that matter ("1.0", "2.5", "2.55"; an unrounded boundary "2.5431"). */
static void fmt_value(char *buf, size_t len, double x)
{
    snprintf(buf, len, "%.4f", x + 0.0);
    char *dot = strchr(buf, '.');
    if (!dot)
        return;
    char *end = buf + strlen(buf) - 1;
    while (end > dot + 1 && *end == '0')
        *end-- = '\0';
}

static double json_value(double x)
{
    return round(x * 10000) / 10000 + 0.0;
}

static const char *mid(const imv_registry *reg, size_t m)
{
    return imv_model_id(imv_registry_get(reg, m));
}

static cJSON *tip_json(const imv_tip *t, double from, const imv_rating_sens *rs,
                       const imv_registry *reg)
{
    if (!t->found)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "to", json_value(t->to));
    cJSON_AddNumberToObject(o, "change", json_value(t->to - from));
    cJSON_AddStringToObject(o, "first", mid(reg, t->first));
    cJSON_AddBoolToObject(o, "first_viable", t->first_viable);
    if (rs)
        cJSON_AddBoolToObject(o, "within_range",
                              rs->uncertain && t->to >= rs->low && t->to <= rs->high);
    return o;
}

static void add_num_or_null(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, imv_round1(v));
}

cJSON *imv_sensitivity_json(const imv_sensitivity *s, const imv_profile *p, const imv_registry *reg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "profile", p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "as_of", p->as_of);
    cJSON_AddStringToObject(o, "first", mid(reg, s->first));
    cJSON_AddBoolToObject(o, "first_viable", s->first_viable);
    add_num_or_null(o, "score", s->first_score);
    if (s->second != IMV_SENS_NONE)
        cJSON_AddStringToObject(o, "second", mid(reg, s->second));
    else
        cJSON_AddNullToObject(o, "second");
    add_num_or_null(o, "margin", s->margin);
    cJSON *rt = cJSON_AddObjectToObject(o, "ratings");
    for (int r = 0; r < IMV_R_COUNT; r++) {
        const imv_rating_sens *rs = &s->ratings[r];
        cJSON *x = cJSON_AddObjectToObject(rt, imv_rating_name(r));
        cJSON_AddNumberToObject(x, "value", json_value(rs->value));
        if (rs->uncertain) {
            cJSON *g = cJSON_AddObjectToObject(x, "range");
            cJSON_AddNumberToObject(g, "low", rs->low);
            cJSON_AddNumberToObject(g, "high", rs->high);
        }
        cJSON_AddItemToObject(x, "increase", tip_json(&rs->up, rs->value, rs, reg));
        cJSON_AddItemToObject(x, "decrease", tip_json(&rs->down, rs->value, rs, reg));
    }
    cJSON *ms = cJSON_AddObjectToObject(o, "models");
    for (size_t rank = 1; rank <= s->n; rank++)
        for (size_t m = 0; m < s->n; m++) {
            if (s->rank[m] != rank)
                continue;
            cJSON *x = cJSON_AddObjectToObject(ms, mid(reg, m));
            cJSON_AddNumberToObject(x, "rank", (double)rank);
            add_num_or_null(x, "score", s->score[m]);
            cJSON_AddBoolToObject(x, "viable", s->viable[m]);
            if (m == s->first)
                continue;
            const imv_model_tip *t = &s->models[m];
            if (t->found) {
                cJSON *tip = cJSON_AddObjectToObject(x, "tip");
                double from = s->ratings[t->rating].value;
                cJSON_AddStringToObject(tip, "rating", imv_rating_name(t->rating));
                cJSON_AddNumberToObject(tip, "from", json_value(from));
                cJSON_AddNumberToObject(tip, "to", json_value(t->to));
                cJSON_AddNumberToObject(tip, "change", json_value(t->to - from));
            } else {
                cJSON_AddNullToObject(x, "tip");
            }
            cJSON *opts = cJSON_AddArrayToObject(x, "options");
            for (size_t i = 0; i < t->n_options; i++) {
                cJSON *e = cJSON_CreateObject();
                double from = s->ratings[t->options[i].rating].value;
                cJSON_AddStringToObject(e, "rating", imv_rating_name(t->options[i].rating));
                cJSON_AddNumberToObject(e, "to", json_value(t->options[i].to));
                cJSON_AddNumberToObject(e, "change", json_value(t->options[i].to - from));
                cJSON_AddItemToArray(opts, e);
            }
        }
    cJSON *ps = cJSON_AddArrayToObject(o, "parameters");
    for (size_t i = 0; i < s->n_params; i++) {
        const imv_param_sens *q = &s->params[i];
        const imv_model *mod = imv_registry_get(reg, q->model);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "model", imv_model_id(mod));
        cJSON_AddStringToObject(x, "parameter", imv_model_param(mod, q->param)->name);
        cJSON_AddNumberToObject(x, "value", q->value);
        cJSON_AddNumberToObject(x, "min", q->min);
        cJSON_AddNumberToObject(x, "max", q->max);
        cJSON_AddItemToObject(x, "tip", tip_json(&q->tip, q->value, NULL, reg));
        cJSON_AddNumberToObject(x, "share_of_range", round(q->share * 1000) / 1000);
        cJSON_AddNumberToObject(x, "score_swing", imv_round1(q->swing));
        cJSON_AddItemToArray(ps, x);
    }
    cJSON *pa = cJSON_AddArrayToObject(o, "partners");
    for (size_t i = 0; i < s->n_partners; i++) {
        const imv_partner_sens *q = &s->partners[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "partner", p->partners[i].id);
        cJSON_AddBoolToObject(x, "viable", q->now.viable);
        add_num_or_null(x, "fit", q->now.fit);
        if (q->now.model)
            cJSON_AddStringToObject(x, "model", q->now.model);
        else
            cJSON_AddNullToObject(x, "model");
        cJSON_AddItemToObject(x, "tipping_points", imv_partner_sens_json(q, p->partners[i].id));
        cJSON_AddItemToArray(pa, x);
    }
    return o;
}

/* Print text from column `indent`, wrapped at 80; continuation lines are
 * indented two more. */
static void wrapped(FILE *f, const char *text, int indent)
{
    fprintf(f, "%*s", indent, "");
    imv_wrap(f, text, indent, indent + 2, 80);
}

/* "if senior_leadership rose from 1.0 to 2.55, improvement_board would rank first" */
static void sentence(FILE *f, int r, double from, const imv_tip *t, const imv_registry *reg)
{
    char a[32], b[32], text[300];
    fmt_value(a, sizeof a, from);
    fmt_value(b, sizeof b, t->to);
    snprintf(text, sizeof text, "if %s %s from %s to %s, %s would rank first%s", imv_rating_name(r),
             t->to > from ? "rose" : "fell", a, b, mid(reg, t->first),
             t->first_viable ? "" : " (but not viable)");
    wrapped(f, text, 2);
}

/* Each candidate partner alone, as the council's only one: where it tips
 * as one of its attributes changes (core/partner_sens.c). */
static void partners_text(FILE *f, const imv_sensitivity *s, const imv_profile *p)
{
    if (s->n_partners == 0)
        return;
    fputs("\ncandidate partners, each alone, one attribute changed:\n", f);
    for (size_t i = 0; i < s->n_partners; i++) {
        const imv_partner_sens *q = &s->partners[i];
        const char *id = p->partners[i].id;
        if (isnan(q->now.fit))
            fprintf(f, "  %s: %s\n", id, q->now.viable ? "viable" : "cannot partner");
        else
            fprintf(f, "  %s: fit %.1f, %s\n", id, imv_round1(q->now.fit),
                    q->now.viable ? "viable" : "not viable");
        if (q->n == 0)
            fputs("      no change of one attribute changes its viability, a fit of 70 or the "
                  "recommendation\n",
                  f);
        for (size_t k = 0; k < q->n;) {
            char text[900];
            k = imv_partner_tips_text(q, k, id, text, sizeof text);
            fputs("    ", f);
            imv_wrap(f, text, 4, 6, 80);
        }
    }
}

void imv_sensitivity_text(FILE *f, const imv_sensitivity *s, const imv_profile *p,
                          const imv_registry *reg)
{
    char a[32], b[32];
    fprintf(f, "%s (%s, as of %s)\n", p->name, p->id, p->as_of);
    char head[400];
    int hn = snprintf(head, sizeof head, "first: %s", mid(reg, s->first));
    if (!isnan(s->first_score) && hn > 0 && (size_t)hn < sizeof head)
        hn += snprintf(head + hn, sizeof head - (size_t)hn, ", %.1f (%s)%s",
                       imv_round1(s->first_score), imv_band(imv_round1(s->first_score)),
                       s->first_viable ? "" : ", not viable");
    if (s->second != IMV_SENS_NONE && !isnan(s->margin) && hn > 0 && (size_t)hn < sizeof head)
        snprintf(head + hn, sizeof head - (size_t)hn, ", %.1f points ahead of %s",
                 imv_round1(s->margin), mid(reg, s->second));
    wrapped(f, head, 0);
    fputs("\ntipping points: one rating changed, the others at their values\n", f);
    fprintf(f, "  %-20s %5s  %s\n", "rating", "value", "lowering it / raising it puts first");
    int any_range = 0, any_inside = 0;
    for (int r = 0; r < IMV_R_COUNT; r++) {
        const imv_rating_sens *rs = &s->ratings[r];
        fmt_value(a, sizeof a, rs->value);
        any_range |= rs->uncertain;
        char v[40], cell[2][120];
        snprintf(v, sizeof v, "%s%s", a, rs->uncertain ? "*" : "");
        const imv_tip *t[2] = {&rs->down, &rs->up};
        for (int d = 0; d < 2; d++) {
            if (!t[d]->found) {
                snprintf(cell[d], sizeof cell[d], "none");
                continue;
            }
            int inside = rs->uncertain && t[d]->to >= rs->low && t[d]->to <= rs->high;
            any_inside |= inside;
            fmt_value(b, sizeof b, t[d]->to);
            snprintf(cell[d], sizeof cell[d], "to %s%s: %s", b, inside ? "!" : "",
                     mid(reg, t[d]->first));
        }
        /* 30 columns of name and value; the two cells share one line when
         * they fit in 80, else the second goes under the first. */
        if (30 + strlen(cell[0]) + 3 + strlen(cell[1]) <= 80)
            fprintf(f, "  %-20s %5s  %s / %s\n", imv_rating_name(r), v, cell[0], cell[1]);
        else
            fprintf(f, "  %-20s %5s  %s /\n%30s%s\n", imv_rating_name(r), v, cell[0], "", cell[1]);
    }
    if (any_range)
        fprintf(f, "  * the profile gives a range%s\n",
                any_inside ? "\n  ! a tipping point inside that range: the ranking is fragile" : "");
    fputs("  none: no value in 0..4 changes the first model\n", f);

    /* The three nearest tipping points, as sentences. */
    const imv_tip *near[3] = {NULL, NULL, NULL};
    int near_r[3] = {0, 0, 0};
    for (int r = 0; r < IMV_R_COUNT; r++) {
        const imv_tip *t[2] = {&s->ratings[r].down, &s->ratings[r].up};
        for (int d = 0; d < 2; d++) {
            if (!t[d]->found)
                continue;
            double dist = fabs(t[d]->to - s->ratings[r].value);
            for (int i = 0; i < 3; i++) {
                if (!near[i] || dist < fabs(near[i]->to - s->ratings[near_r[i]].value)) {
                    for (int k = 2; k > i; k--) {
                        near[k] = near[k - 1];
                        near_r[k] = near_r[k - 1];
                    }
                    near[i] = t[d];
                    near_r[i] = r;
                    break;
                }
            }
        }
    }
    if (near[0]) {
        fputs("\nnearest:\n", f);
        for (int i = 0; i < 3 && near[i]; i++)
            sentence(f, near_r[i], s->ratings[near_r[i]].value, near[i], reg);
    } else {
        fputs("\nno single rating change within 0..4 changes the first model\n", f);
    }

    fputs("\nwhat would bring each other model first (one rating changed):\n", f);
    for (size_t rank = 2; rank <= s->n; rank++)
        for (size_t m = 0; m < s->n; m++) {
            if (s->rank[m] != rank)
                continue;
            const imv_model_tip *t = &s->models[m];
            char sc[16] = "  -  ";
            if (!isnan(s->score[m]))
                snprintf(sc, sizeof sc, "%5.1f", imv_round1(s->score[m]));
            fprintf(f, "  %-2zu %-21.21s %s  ", rank, mid(reg, m), sc);
            if (!t->found) {
                fputs("no single rating change in 0..4\n", f);
                continue;
            }
            char what[160];
            double from = s->ratings[t->rating].value;
            fmt_value(a, sizeof a, from);
            fmt_value(b, sizeof b, t->to);
            int n = snprintf(what, sizeof what, "%s %s -> %s", imv_rating_name(t->rating), a, b);
            if (t->n_options > 1 && n > 0 && (size_t)n < sizeof what)
                snprintf(what + n, sizeof what - (size_t)n, " (or %zu other%s)", t->n_options - 1,
                         t->n_options > 2 ? "s" : "");
            /* 33 columns before it; past 80, put it on its own line. */
            if (33 + strlen(what) <= 80)
                fprintf(f, "%s\n", what);
            else
                fprintf(f, "\n%6s%s\n", "", what);
        }

    fputs("\nparameters the first place depends on most:\n", f);
    size_t shown = 0;
    for (size_t i = 0; i < s->n_params && shown < 5; i++, shown++) {
        const imv_param_sens *q = &s->params[i];
        const imv_model *mod = imv_registry_get(reg, q->model);
        char name[160], lo[32], hi[32];
        snprintf(name, sizeof name, "%s.%s", imv_model_id(mod), imv_model_param(mod, q->param)->name);
        fmt_value(a, sizeof a, q->value);
        fmt_value(lo, sizeof lo, q->min);
        fmt_value(hi, sizeof hi, q->max);
        fprintf(f, "  %s = %s (range %s..%s)\n", name, a, lo, hi);
        if (q->tip.found) {
            fmt_value(b, sizeof b, q->tip.to);
            fprintf(f,
                    "      at %s %s ranks first\n"
                    "      another model is first over %.0f%% of the range\n",
                    b, mid(reg, q->tip.first), q->share * 100);
        } else {
            fprintf(f,
                    "      never changes the first model\n"
                    "      moves %s's score by up to %.1f\n",
                    imv_model_id(mod), imv_round1(q->swing));
        }
    }
    if (s->n_params == 0)
        fputs("  (the models declare no parameters)\n", f);
    partners_text(f, s, p);
}
