/*
 * status.c - how an intervention is going, computed across the reviews
 * recorded for an authority, not from one snapshot; and the national view
 * over every authority.
 *
 * For an authority: its newest decision that no later one supersedes
 * names the intervention; the assessment it rests on is the baseline; the
 * assessments and reviews recorded after it are the reviews.  Then:
 *   no review yet                                   on_track (awaiting review)
 *   newest review better than inadequate            improved: step down
 *   a worse grade than the review before, a fall of
 *   0.25 or more in the rating index since it, or a
 *   "deteriorating" progress finding                deteriorating: escalate
 *   the engine's own snapshot says stalling, two
 *   "static" findings running, or two or more
 *   reviews with the rating index up by less than
 *   0.25 on the baseline                            stalled: escalate
 *   otherwise                                       on_track
 * An authority assessed but with no decision is "undecided".
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "register.h"
#include "store.h"

#define MOVE 0.25 /* a change in the rating index that counts (a quarter point) */

typedef struct snap {
    const imv_register_entry *e;
} snap;

static int scored(const imv_register_entry *e)
{
    return strcmp(e->kind, "assessment") == 0 || strcmp(e->kind, "review") == 0;
}

static int grade_rank(const char *g)
{
    if (!g)
        return -1;
    if (strcmp(g, "inadequate") == 0)
        return 0;
    if (strcmp(g, "requires_improvement") == 0 || strcmp(g, "adequate") == 0)
        return 1;
    if (strcmp(g, "good") == 0)
        return 2;
    if (strcmp(g, "outstanding") == 0)
        return 3;
    return -1; /* not_inspected */
}

static int is_superseded(const imv_register_entry *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].supersedes && strcmp(v[i].supersedes, id) == 0)
            return 1;
    return 0;
}

static int snap_cmp(const void *a, const void *b)
{
    const imv_register_entry *x = ((const snap *)a)->e, *y = ((const snap *)b)->e;
    int c = strcmp(x->as_of ? x->as_of : "", y->as_of ? y->as_of : "");
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *snap_json(const imv_register_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "id", e->id);
    add_str(o, "kind", e->kind);
    add_str(o, "as_of", e->as_of);
    add_str(o, "grade", e->grade);
    if (e->has_rating)
        cJSON_AddNumberToObject(o, "rating", e->rating);
    else
        cJSON_AddNullToObject(o, "rating");
    add_str(o, "recommended", e->model);
    add_str(o, "snapshot_status", e->status);
    add_str(o, "finding", e->finding);
    return o;
}

/* The status of one authority from its entries v[0..n) (chain order). */
static cJSON *authority_status(const char *authority, const imv_register_entry *v, size_t n)
{
    const imv_register_entry *dec = NULL, *base = NULL;
    snap *s = imv_xcalloc(n ? n : 1, sizeof *s);
    size_t ns = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].kind, "decision") == 0 && !is_superseded(v, n, v[i].id))
            dec = &v[i];
    for (size_t i = 0; i < n; i++) {
        if (!scored(&v[i]) || is_superseded(v, n, v[i].id))
            continue;
        if (dec && dec->ref && strcmp(v[i].id, dec->ref) == 0)
            base = &v[i];
        else if (!dec || v[i].seq > dec->seq)
            s[ns++].e = &v[i];
    }
    qsort(s, ns, sizeof *s, snap_cmp);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "authority", authority);
    const char *status, *label;
    char reason[400];
    const imv_register_entry *latest = ns ? s[ns - 1].e : base;
    const imv_register_entry *prev = ns >= 2 ? s[ns - 2].e : base;
    const char *escalate = NULL;
    if (!dec) {
        status = "undecided";
        label = "undecided";
        snprintf(reason, sizeof reason, "assessed %zu time%s, no decision recorded", ns,
                 ns == 1 ? "" : "s");
        latest = ns ? s[ns - 1].e : NULL;
    } else if (!ns) {
        status = "on_track";
        label = "on track";
        snprintf(reason, sizeof reason, "%s chosen on %.10s; no review recorded yet", dec->model,
                 dec->at);
    } else if (grade_rank(latest->grade) >= 1) {
        status = "improved";
        label = "improved: step down";
        snprintf(reason, sizeof reason,
                 "%s at %s: no longer inadequate; consider lifting the "
                 "intervention if the improvement has momentum",
                 latest->grade, latest->as_of);
    } else {
        double drop = latest->has_rating && prev && prev->has_rating ? latest->rating - prev->rating
                                                                     : 0;
        double gain = latest->has_rating && base && base->has_rating ? latest->rating - base->rating
                                                                     : 0;
        int worse_grade = prev && grade_rank(latest->grade) >= 0 &&
                          grade_rank(latest->grade) < grade_rank(prev->grade);
        int det_finding = latest->finding && strcmp(latest->finding, "deteriorating") == 0;
        int static2 = latest->finding && strcmp(latest->finding, "static") == 0 && prev &&
                      prev->finding && strcmp(prev->finding, "static") == 0;
        int engine_stall = latest->status && strcmp(latest->status, "stalling") == 0;
        if (worse_grade || det_finding || drop <= -MOVE) {
            status = "deteriorating";
            label = "deteriorating";
            snprintf(reason, sizeof reason, "%s",
                     worse_grade   ? "the grade fell since the review before"
                     : det_finding ? "the newest progress finding is deteriorating"
                                   : "the ratings fell since the review before");
        } else if (engine_stall || static2 || (ns >= 2 && gain < MOVE)) {
            status = "stalled";
            label = "stalled";
            snprintf(reason, sizeof reason, "%s",
                     engine_stall ? "past the time this intervention should have taken"
                     : static2    ? "two static progress findings running"
                               : "reviews show no real change in the ratings since the decision");
        } else {
            status = "on_track";
            label = "on track";
            snprintf(reason, sizeof reason, "%zu review%s, ratings %+.2f since the decision", ns,
                     ns == 1 ? "" : "s", gain);
        }
        if (strcmp(status, "on_track") && latest->model && strcmp(latest->model, dec->model))
            escalate = latest->model;
    }
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "label", label);
    cJSON_AddStringToObject(o, "reason", reason);
    add_str(o, "intervention", dec ? dec->model : NULL);
    add_str(o, "decision", dec ? dec->id : NULL);
    add_str(o, "decided_at", dec ? dec->at : NULL);
    add_str(o, "escalate_to", escalate);
    cJSON_AddNumberToObject(o, "reviews", (double)(dec ? ns : 0));
    if (base)
        cJSON_AddItemToObject(o, "baseline", snap_json(base));
    else
        cJSON_AddNullToObject(o, "baseline");
    if (latest)
        cJSON_AddItemToObject(o, "latest", snap_json(latest));
    else
        cJSON_AddNullToObject(o, "latest");
    free(s);
    return o;
}

static cJSON *entry_json(const imv_register_entry *e, const imv_register_entry *v, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", (double)e->seq);
    add_str(o, "id", e->id);
    add_str(o, "kind", e->kind);
    add_str(o, "at", e->at);
    add_str(o, "author", e->author);
    add_str(o, "role", e->role);
    add_str(o, "ref", e->ref);
    add_str(o, "supersedes", e->supersedes);
    const char *by = NULL;
    for (size_t i = 0; i < n; i++)
        if (v[i].supersedes && strcmp(v[i].supersedes, e->id) == 0)
            by = v[i].id;
    add_str(o, "superseded_by", by);
    if (scored(e)) {
        add_str(o, "as_of", e->as_of);
        add_str(o, "grade", e->grade);
        add_str(o, "recommended", e->model);
        if (e->has_rating)
            cJSON_AddNumberToObject(o, "rating", e->rating);
        add_str(o, "snapshot_status", e->status);
        add_str(o, "finding", e->finding);
        add_str(o, "result_sha256", e->result_sha);
    } else if (strcmp(e->kind, "decision") == 0) {
        add_str(o, "chosen", e->model);
    }
    cJSON *body = e->body ? cJSON_Parse(e->body) : NULL;
    static const char *const keep[] = {"rationale", "partner",     "text",
                                       "impact",    "reliability", "recommended",
                                       "question",  "rated_by",    "rated_on"};
    for (size_t k = 0; body && k < sizeof keep / sizeof keep[0]; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(body, keep[k]);
        if (x && !cJSON_GetObjectItemCaseSensitive(o, keep[k]))
            cJSON_AddItemToObject(o, keep[k], cJSON_Duplicate(x, 1));
    }
    cJSON_Delete(body);
    add_str(o, "row_hash", e->row_hash);
    return o;
}

int imv_register_history(imv_register *r, const char *authority, cJSON **out, char *err, size_t errlen)
{
    imv_register_entry *v = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = imv_register_list(r, authority, &v, &n, err, errlen);
    if (rc)
        return rc;
    if (n == 0) {
        imv_store_err(err, errlen,
                      "nothing recorded for %s in %s (authorities are named as in "
                      "`imeval register status`)",
                      authority, imv_register_where(r));
        return IMV_REG_ENOTFOUND;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "imeval-register-history/1");
    cJSON_AddStringToObject(o, "authority", authority);
    cJSON *entries = cJSON_AddArrayToObject(o, "entries");
    snap *s = imv_xcalloc(n, sizeof *s);
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(entries, entry_json(&v[i], v, n));
        if (scored(&v[i]) && !is_superseded(v, n, v[i].id))
            s[ns++].e = &v[i];
    }
    qsort(s, ns, sizeof *s, snap_cmp);
    cJSON *traj = cJSON_AddArrayToObject(o, "trajectory");
    for (size_t i = 0; i < ns; i++)
        cJSON_AddItemToArray(traj, snap_json(s[i].e));
    cJSON_AddItemToObject(o, "intervention", authority_status(authority, v, n));
    free(s);
    imv_register_entries_free(v, n);
    *out = o;
    return 0;
}

/* ---- national view ------------------------------------------------------ */

typedef struct all_ctx {
    imv_register_entry *v;
    size_t n, cap;
} all_ctx;

static int collect(void *ctx, const imv_register_entry *e)
{
    all_ctx *c = ctx;
    imv_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v);
    imv_register_entry *d = &c->v[c->n++];
    /* Take the strings over rather than copy them: the scan frees only
     * what is left in its entry. */
    *d = *e;
    memset((imv_register_entry *)e, 0, sizeof *e);
    return 0;
}

static int by_authority(const void *a, const void *b)
{
    const imv_register_entry *x = a, *y = b;
    int c = strcmp(x->authority, y->authority);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int priority(const char *status)
{
    static const char *const order[] = {"deteriorating", "stalled", "improved", "on_track",
                                        "undecided"};
    for (int i = 0; i < 5; i++)
        if (strcmp(status, order[i]) == 0)
            return i;
    return 5;
}

static int status_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    int c = priority(cJSON_GetObjectItem(x, "status")->valuestring) -
            priority(cJSON_GetObjectItem(y, "status")->valuestring);
    if (c)
        return c;
    /* Longest under review first, then by name. */
    double rx = cJSON_GetObjectItem(x, "reviews")->valuedouble;
    double ry = cJSON_GetObjectItem(y, "reviews")->valuedouble;
    if (rx != ry)
        return rx < ry ? 1 : -1;
    return strcmp(cJSON_GetObjectItem(x, "authority")->valuestring,
                  cJSON_GetObjectItem(y, "authority")->valuestring);
}

int imv_register_status(imv_register *r, cJSON **out, char *err, size_t errlen)
{
    all_ctx c = {0};
    *out = NULL;
    int rc = imv_register_scan(r, NULL, 1, collect, &c, err, errlen);
    if (rc) {
        imv_register_entries_free(c.v, c.n);
        return rc;
    }
    qsort(c.v, c.n, sizeof *c.v, by_authority);
    cJSON **rows = NULL;
    size_t nrows = 0, cap = 0;
    for (size_t i = 0; i < c.n;) {
        size_t j = i;
        while (j < c.n && strcmp(c.v[j].authority, c.v[i].authority) == 0)
            j++;
        cJSON *st = authority_status(c.v[i].authority, &c.v[i], j - i);
        imv_grow((void **)&rows, &cap, nrows + 1, sizeof *rows);
        rows[nrows++] = st;
        i = j;
    }
    qsort(rows, nrows, sizeof *rows, status_cmp);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "imeval-register-status/1");
    cJSON *counts = cJSON_AddObjectToObject(o, "counts");
    static const char *const names[] = {"deteriorating", "stalled", "improved", "on_track",
                                        "undecided"};
    for (int k = 0; k < 5; k++) {
        int cnt = 0;
        for (size_t i = 0; i < nrows; i++)
            cnt += strcmp(cJSON_GetObjectItem(rows[i], "status")->valuestring, names[k]) == 0;
        cJSON_AddNumberToObject(counts, names[k], cnt);
    }
    cJSON *a = cJSON_AddArrayToObject(o, "authorities");
    for (size_t i = 0; i < nrows; i++)
        cJSON_AddItemToArray(a, rows[i]);
    free(rows);
    imv_register_entries_free(c.v, c.n);
    *out = o;
    return 0;
}
