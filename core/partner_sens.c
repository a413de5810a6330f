/*
 * partner_sens.c - sensitivity over a partner council's attributes: for
 * one council and one candidate partner, each attribute of the partner
 * (its commitments, spare leadership capacity, grade, whether it is a
 * neighbour, its size) is varied over its range, one at a time, and the
 * nearest value in each direction is found at which the pairing becomes
 * viable or stops being, its fit crosses 70 (a strong partner), or the
 * council's recommended model changes.  "With one fewer commitment,
 * westshire would be a viable partner."
 *
 * Each point is the council evaluated with that partner as its only
 * candidate (full calls, as imv_pairing_evaluate), on a private shallow
 * copy of the profile, so the profile itself is never changed and the
 * analysis may run beside other readers of it.  Continuous attributes are
 * scanned on a grid, then bisected to their unit and checked there.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define STRONG_FIT 70.0

/* One point: the council with q as its only candidate. */
static void point(imv_worker *w, const imv_profile *p, const imv_partner *q, double baseline,
                  imv_partner_point *out)
{
    imv_profile copy = *p;
    imv_partner one = *q;
    copy.partners = &one;
    copy.n_partners = 1;
    copy.partner_views = NULL;
    copy.partner_ptrs = NULL;
    copy.progress_views = NULL;
    copy.progress_ptrs = NULL;
    imv_profile_derive(&copy);
    imv_evaluation ev;
    imv_evaluate(w, &copy, &ev);
    memset(out, 0, sizeof *out);
    out->score = out->fit = NAN;
    out->first = ev.recommended;
    for (size_t k = 0; k < ev.n; k++) { /* the best viable model that uses q */
        const imv_result *r = &ev.results[ev.order[k]];
        if (r->viable && !r->error && r->partner_id && strcmp(r->partner_id, q->id) == 0) {
            out->viable = 1;
            out->score = r->score;
            out->model = imv_model_id(r->model);
            break;
        }
    }
    for (size_t k = 0; k < ev.n; k++) { /* its fit: the highest any model gives */
        const imv_result *r = &ev.results[k];
        if (!r->error && r->partner_id && strcmp(r->partner_id, q->id) == 0 &&
            (isnan(out->fit) || r->partner_fit > out->fit))
            out->fit = r->partner_fit;
    }
    out->gain = out->viable ? out->score - baseline : NAN;
    imv_evaluation_clear(&ev);
    free(copy.partner_views);
    free(copy.partner_ptrs);
    free(copy.progress_views);
    free(copy.progress_ptrs);
}

static int strong(const imv_partner_point *x)
{
    return !isnan(x->fit) && x->fit >= STRONG_FIT;
}

static int same_first(const imv_partner_point *a, const imv_partner_point *b)
{
    return a->first == b->first || (a->first && b->first && strcmp(a->first, b->first) == 0);
}

/* Whether x differs from now in what kind k asks. */
static int differs(int k, const imv_partner_point *now, const imv_partner_point *x)
{
    switch (k) {
    case IMV_PTIP_VIABLE: return x->viable != now->viable;
    case IMV_PTIP_STRONG: return strong(x) != strong(now);
    default: return !same_first(x, now);
    }
}

/* ---- the attributes ---------------------------------------------------- */

typedef struct attr {
    int id;                    /* IMV_PATTR_* */
    double lo, hi, step, unit; /* step 0: the values below, in order */
} attr;

static const attr attrs[IMV_PATTR_COUNT] = {
    {IMV_PATTR_COMMITMENTS, 0, 8, 1, 1},
    {IMV_PATTR_SPARE, 0, 4, 0.25, 0.01},
    {IMV_PATTR_GRADE, 0, 3, 1, 1},
    {IMV_PATTR_NEIGHBOURING, 0, 1, 1, 1},
    {IMV_PATTR_SIZE, 5000, 500000, 10000, 1000},
};

/* Grades in order of quality, as a position 0..3 (not inspected between
 * requires improvement and good, where the models' fit puts it). */
static double grade_pos(imv_grade g)
{
    switch (g) {
    case IMV_G_INADEQUATE: return 0;
    case IMV_G_REQUIRES_IMPROVEMENT: return 1;
    case IMV_G_NOT_INSPECTED: return 1.5;
    case IMV_G_GOOD: return 2;
    default: return 3;
    }
}

static imv_grade grade_at(double pos)
{
    return pos < 0.5    ? IMV_G_INADEQUATE
           : pos < 1.25 ? IMV_G_REQUIRES_IMPROVEMENT
           : pos < 1.75 ? IMV_G_NOT_INSPECTED
           : pos < 2.5  ? IMV_G_GOOD
                        : IMV_G_OUTSTANDING;
}

/* The attribute's value in q, or NAN when q does not give it. */
static double value_of(int a, const imv_partner *q)
{
    switch (a) {
    case IMV_PATTR_COMMITMENTS:
        return q->current_commitments == IMV_UNKNOWN ? 0 : q->current_commitments;
    case IMV_PATTR_SPARE:
        return q->spare_leadership_capacity == IMV_UNKNOWN ? NAN : q->spare_leadership_capacity;
    case IMV_PATTR_GRADE: return grade_pos(q->grade);
    case IMV_PATTR_NEIGHBOURING: return q->neighbouring < 0 ? NAN : q->neighbouring;
    default: return q->child_population == IMV_UNKNOWN ? NAN : q->child_population;
    }
}

static imv_partner with_value(int a, const imv_partner *q, double x)
{
    imv_partner v = *q;
    switch (a) {
    case IMV_PATTR_COMMITMENTS: v.current_commitments = x; break;
    case IMV_PATTR_SPARE: v.spare_leadership_capacity = x; break;
    case IMV_PATTR_GRADE: v.grade = grade_at(x); break;
    case IMV_PATTR_NEIGHBOURING: v.neighbouring = (int)x; break;
    default: v.child_population = x; break;
    }
    return v;
}

typedef struct sctx {
    imv_worker *w;
    const imv_profile *p;
    const imv_partner *q;
    double baseline;
    imv_partner_point now;
} sctx;

static void at(sctx *c, int a, double x, imv_partner_point *out)
{
    imv_partner v = with_value(a, c->q, x);
    point(c->w, c->p, &v, c->baseline, out);
}

/* Narrow [near, far] (near does not differ, far does) to the attribute's
 * unit: the value nearest the partner's own at which it differs. */
static double narrow(sctx *c, const attr *d, int k, double near, double far, imv_partner_point *hit)
{
    imv_partner_point x;
    while (fabs(far - near) > d->unit * 1.0001) {
        double mid = (near + far) / 2;
        mid = far > near ? ceil(mid / d->unit - 1e-9) * d->unit
                         : floor(mid / d->unit + 1e-9) * d->unit;
        if (mid == far || mid == near)
            break;
        at(c, d->id, mid, &x);
        if (differs(k, &c->now, &x)) {
            far = mid;
            *hit = x;
        } else {
            near = mid;
        }
    }
    return far;
}

static void add_tip(imv_partner_sens *s, int a, int k, double from, double to,
                    const imv_partner_point *x)
{
    if (s->n >= IMV_PARTNER_TIPS_MAX)
        return;
    imv_partner_tip *t = &s->tips[s->n++];
    t->attribute = a;
    t->kind = k;
    t->from = from;
    t->to = to;
    t->at = *x;
}

/* Scan attribute d from its value outward in direction dir (+1, -1); the
 * first change of each kind. */
static void scan(sctx *c, const attr *d, double from, int dir, imv_partner_sens *s)
{
    int found[IMV_PTIP_COUNT] = {0, 0, 0};
    double prev = from;
    double x = dir > 0 ? floor(from / d->step + 1e-9) * d->step + d->step
                       : ceil(from / d->step - 1e-9) * d->step - d->step;
    if (d->id == IMV_PATTR_GRADE) /* positions 0..3 around not inspected's 1.5 */
        x = dir > 0 ? floor(from) + 1 : ceil(from) - 1;
    for (; x >= d->lo - 1e-9 && x <= d->hi + 1e-9; x += dir * d->step) {
        imv_partner_point pt;
        at(c, d->id, x, &pt);
        for (int k = 0; k < IMV_PTIP_COUNT; k++) {
            if (found[k] || !differs(k, &c->now, &pt))
                continue;
            found[k] = 1;
            imv_partner_point hit = pt;
            double to = d->unit < d->step ? narrow(c, d, k, prev, x, &hit) : x;
            add_tip(s, d->id, k, from, to, &hit);
        }
        if (found[0] && found[1] && found[2])
            break;
        prev = x;
    }
}

int imv_partner_sensitivity(imv_worker *w, const imv_profile *p, const imv_partner *q,
                            imv_partner_sens *out)
{
    memset(out, 0, sizeof *out);
    imv_profile none = *p; /* the council's best without a partner */
    none.n_partners = 0;
    none.partner_views = NULL;
    none.partner_ptrs = NULL;
    none.progress_views = NULL;
    none.progress_ptrs = NULL;
    imv_profile_derive(&none);
    imv_evaluation ev;
    imv_evaluate(w, &none, &ev);
    double baseline = 0;
    for (size_t k = 0; k < ev.n; k++) {
        const imv_result *r = &ev.results[ev.order[k]];
        if (r->viable && !r->error) {
            baseline = r->score;
            break;
        }
    }
    imv_evaluation_clear(&ev);
    free(none.partner_views);
    free(none.partner_ptrs);
    free(none.progress_views);
    free(none.progress_ptrs);
    sctx c = {.w = w, .p = p, .q = q, .baseline = baseline};
    point(w, p, q, baseline, &c.now);
    out->now = c.now;
    out->baseline = baseline;
    for (int a = 0; a < IMV_PATTR_COUNT; a++) {
        double v = value_of(a, q);
        out->value[a] = v;
        if (isnan(v))
            continue; /* not given: nothing to vary from */
        if (a == IMV_PATTR_NEIGHBOURING) {
            imv_partner_point pt;
            at(&c, a, 1 - v, &pt);
            for (int k = 0; k < IMV_PTIP_COUNT; k++)
                if (differs(k, &c.now, &pt))
                    add_tip(out, a, k, v, 1 - v, &pt);
            continue;
        }
        scan(&c, &attrs[a], v, -1, out);
        scan(&c, &attrs[a], v, +1, out);
    }
    return IMV_OK;
}

const char *imv_partner_attr_name(int a)
{
    static const char *const names[IMV_PATTR_COUNT] = {
        "current_commitments", "spare_leadership_capacity", "grade",
        "neighbouring",        "child_population",
    };
    return a >= 0 && a < IMV_PATTR_COUNT ? names[a] : NULL;
}

const char *imv_partner_tip_kind_name(int k)
{
    static const char *const names[IMV_PTIP_COUNT] = {"viable", "strong", "first"};
    return k >= 0 && k < IMV_PTIP_COUNT ? names[k] : NULL;
}

/* "with one fewer commitment", "with spare leadership capacity 2 (now 1.5)" */
static void change_text(const imv_partner_tip *t, char *buf, size_t n)
{
    double d = t->to - t->from;
    switch (t->attribute) {
    case IMV_PATTR_COMMITMENTS:
        if (fabs(d) == 1)
            snprintf(buf, n, "with one %s commitment", d < 0 ? "fewer" : "more");
        else
            snprintf(buf, n, "with %.0f %s commitments", fabs(d), d < 0 ? "fewer" : "more");
        break;
    case IMV_PATTR_SPARE:
        snprintf(buf, n, "with spare leadership capacity %g (now %g)", t->to, t->from);
        break;
    case IMV_PATTR_GRADE:
        snprintf(buf, n, "if judged %s", imv_grade_name(grade_at(t->to)));
        for (char *s = buf; *s; s++)
            *s = *s == '_' ? ' ' : *s;
        break;
    case IMV_PATTR_NEIGHBOURING:
        snprintf(buf, n, "%s", t->to > 0.5 ? "as a neighbour" : "if it were not a neighbour");
        break;
    default: snprintf(buf, n, "with %.0f children (now %.0f)", t->to, t->from); break;
    }
}

/* What one kind of change says, after the change itself. */
static void outcome_text(const imv_partner_tip *t, const char *partner, const char *now_first,
                         char *buf, size_t n)
{
    const imv_partner_point *x = &t->at;
    switch (t->kind) {
    case IMV_PTIP_VIABLE:
        if (x->viable)
            snprintf(buf, n, "%s would be a viable partner (%s, fit %.1f)", partner, x->model,
                     imv_round1(x->fit));
        else
            snprintf(buf, n, "%s would no longer be a viable partner", partner);
        break;
    case IMV_PTIP_STRONG:
        if (isnan(x->fit))
            snprintf(buf, n, "it could not partner at all");
        else
            snprintf(buf, n, "its fit would %s %.0f (%.1f)", strong(x) ? "reach" : "fall below",
                     STRONG_FIT, imv_round1(x->fit));
        break;
    default:
        snprintf(buf, n, "the recommendation would change from %s to %s",
                 now_first ? now_first : "none", x->first ? x->first : "none");
        break;
    }
}

void imv_partner_tip_text(const imv_partner_tip *t, const char *partner, const char *now_first,
                          char *buf, size_t n)
{
    char change[120], what[400];
    change_text(t, change, sizeof change);
    outcome_text(t, partner, now_first, what, sizeof what);
    snprintf(buf, n, "%s, %s", change, what);
}

int imv_partner_tip_raises(const imv_partner_tip *t)
{
    const imv_partner_point *x = &t->at;
    switch (t->kind) {
    case IMV_PTIP_VIABLE: return x->viable;
    case IMV_PTIP_STRONG: return strong(x);
    default: return x->first && x->model && strcmp(x->first, x->model) == 0;
    }
}

size_t imv_partner_tips_text(const imv_partner_sens *s, size_t i, const char *partner, char *buf,
                             size_t n)
{
    const imv_partner_tip *t = &s->tips[i];
    char change[120];
    change_text(t, change, sizeof change);
    size_t k = (size_t)snprintf(buf, n, "%s, ", change);
    size_t j = i;
    for (; j < s->n && s->tips[j].attribute == t->attribute && s->tips[j].to == t->to; j++) {
        char what[300];
        outcome_text(&s->tips[j], partner, s->now.first, what, sizeof what);
        if (j > i && s->tips[j].kind == IMV_PTIP_STRONG && isnan(s->tips[j].at.fit))
            continue; /* "no longer viable" said it */
        if (k < n)
            k += (size_t)snprintf(buf + k, n - k, "%s%s", j > i ? "; " : "", what);
    }
    return j;
}

int imv_partner_tips_shown(const imv_partner_sens *s, size_t i)
{
    const imv_partner_tip *t = &s->tips[i];
    int show = 0;
    for (size_t j = i; j < s->n && s->tips[j].attribute == t->attribute && s->tips[j].to == t->to; j++)
        show |= imv_partner_tip_raises(&s->tips[j]) ||
                (t->attribute == IMV_PATTR_COMMITMENTS && t->to > t->from &&
                 s->tips[j].kind == IMV_PTIP_VIABLE);
    return show;
}

/* An attribute's value as JSON: a grade's name, a boolean, a number. */
static cJSON *attr_value(int a, double v)
{
    if (a == IMV_PATTR_GRADE)
        return cJSON_CreateString(imv_grade_name(grade_at(v)));
    if (a == IMV_PATTR_NEIGHBOURING)
        return cJSON_CreateBool(v > 0.5);
    return cJSON_CreateNumber(round(v * 100) / 100);
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, imv_round1(v));
    else
        cJSON_AddNullToObject(o, k);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

cJSON *imv_partner_sens_json(const imv_partner_sens *s, const char *partner)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t k = 0; k < s->n; k++) {
        const imv_partner_tip *t = &s->tips[k];
        char text[600];
        imv_partner_tip_text(t, partner, s->now.first, text, sizeof text);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "attribute", imv_partner_attr_name(t->attribute));
        cJSON_AddItemToObject(e, "from", attr_value(t->attribute, t->from));
        cJSON_AddItemToObject(e, "to", attr_value(t->attribute, t->to));
        cJSON_AddStringToObject(e, "changes", imv_partner_tip_kind_name(t->kind));
        cJSON_AddBoolToObject(e, "viable", t->at.viable);
        add_str(e, "model", t->at.model);
        add_num(e, "fit", t->at.fit);
        add_num(e, "gain", t->at.gain);
        add_str(e, "recommended", t->at.first);
        cJSON_AddStringToObject(e, "text", text);
        cJSON_AddItemToArray(a, e);
    }
    return a;
}
