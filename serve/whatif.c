/*
 * whatif.c - a posted profile in, documents out: the result document
 * (RESULT-FORMAT.md) with optional draws, the sensitivity document, the
 * difference against the profile as assessed, and the adviser's report
 * or its sections (report/html.c: the same renderer as `imeval report`).
 * Every model call runs on one of the server's workers, so it has the
 * command's hosts, sandbox, budgets and isolation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "serve.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

int imv_srv_profile_of(imv_serve *s, const cJSON *root, const char *key, imv_profile **out,
                       imv_serve_reply *reply)
{
    *out = NULL;
    const cJSON *j = get(root, key);
    if (!cJSON_IsObject(j)) {
        imv_srv_reply_error(reply, 400, NULL, "\"%s\": expected a profile (a JSON object, %s)", key,
                            IMV_PROFILE_FORMAT);
        return 400;
    }
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    int rc = imv_profile_from_json(j, "request", 1, s->strict, &p, &d);
    if (rc != IMV_OK || !p || d.n_errors) {
        imv_srv_reply_error(reply, 422, &d, "the profile is not valid: %zu error%s", d.n_errors,
                            d.n_errors == 1 ? "" : "s");
        imv_profile_free(p);
        imv_diags_free(&d);
        return 422;
    }
    imv_diags_free(&d);
    *out = p;
    return 0;
}

/* A whole number in lo..hi, or the default when absent; -1 when given
 * otherwise. */
static int whole(const cJSON *root, const char *k, double lo, double hi, double dflt, double *out)
{
    const cJSON *v = get(root, k);
    *out = dflt;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
        v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return -1;
    *out = v->valuedouble;
    return 0;
}

int imv_srv_draws_of(const cJSON *root, size_t dflt, imv_srv_draws *d, imv_serve_reply *reply)
{
    double draws, seed;
    if (whole(root, "draws", 0, SRV_MAX_DRAWS, (double)dflt, &draws) != 0) {
        imv_srv_reply_error(reply, 400, NULL, "\"draws\": a whole number from 0 to %d",
                            SRV_MAX_DRAWS);
        return 400;
    }
    if (whole(root, "seed", 0, 9007199254740992.0, 1, &seed) != 0) {
        imv_srv_reply_error(reply, 400, NULL, "\"seed\": a whole number from 0 to 2^53");
        return 400;
    }
    const cJSON *v = get(root, "vary_parameters");
    if (v && !cJSON_IsBool(v) && !cJSON_IsNull(v)) {
        imv_srv_reply_error(reply, 400, NULL, "\"vary_parameters\": true or false");
        return 400;
    }
    d->draws = (size_t)draws;
    d->seed = (uint64_t)seed;
    d->vary = cJSON_IsTrue(v);
    return 0;
}

/* Evaluate p on a worker and write one document (results, or with
 * sens_doc the sensitivity document); *sens gets the tipping points as
 * JSON when asked for. */
static char *run(imv_serve *s, const imv_profile *p, const imv_srv_draws *d, int sens_doc,
                 cJSON **sens, imv_serve_reply *reply)
{
    imv_worker *w = imv_srv_worker_take(s);
    if (!w) {
        imv_srv_reply_error(reply, 503, NULL,
                            "every evaluation slot has been busy for %d s: try again",
                            SRV_WORKER_WAIT);
        return NULL;
    }
    imv_evaluation e;
    char *doc = NULL;
    size_t len = 0;
    int failed = 0;
    imv_evaluate(w, p, &e);
    if (d && d->draws && imv_uncertainty_run(w, &e, d->draws, d->seed, d->vary) != IMV_OK)
        failed = 1;
    if (!failed && (sens_doc || sens))
        imv_sensitivity_run(w, p, &e.sensitivity);
    imv_srv_worker_give(s, w);
    if (failed || e.n == 0) {
        imv_srv_reply_error(reply, 500, NULL, "%s",
                            e.n ? "the draws did not fit in memory: ask for fewer"
                                : "no models are loaded");
        goto done;
    }
    /* A model's failure is listed in errors as `imeval evaluate` lists it. */
    imv_diags diags;
    imv_diags_init(&diags);
    for (size_t i = 0; i < e.n; i++)
        if (e.results[i].error) {
            char where[300];
            snprintf(where, sizeof where, "%s: model %s", p->id, imv_model_id(e.results[i].model));
            imv_diags_add_at(&diags, 0, p->source, p->line, where, "%s", e.results[i].error);
        }
    FILE *m = open_memstream(&doc, &len);
    if (!m) {
        imv_diags_free(&diags);
        imv_srv_reply_error(reply, 500, NULL, "out of memory");
        goto done;
    }
    imv_output *o = imv_output_open(m, sens_doc ? IMV_DOC_SENSITIVITY : IMV_DOC_RESULTS,
                                    IMV_FMT_JSON, 0, s->reg, NULL);
    imv_output_begin(o);
    imv_output_evaluation(o, &e);
    imv_output_end(o, &diags);
    imv_diags_free(&diags);
    if (fclose(m) != 0 || !doc) {
        free(doc);
        doc = NULL;
        imv_srv_reply_error(reply, 500, NULL, "out of memory");
        goto done;
    }
    if (sens && e.sensitivity)
        *sens = imv_sensitivity_json(e.sensitivity, p, s->reg);
done:
    imv_evaluation_clear(&e);
    return doc;
}

char *imv_srv_evaluate_doc(imv_serve *s, const imv_profile *p, const imv_srv_draws *d, cJSON **sens,
                           imv_serve_reply *reply)
{
    return run(s, p, d, 0, sens, reply);
}

char *imv_srv_sensitivity_doc(imv_serve *s, const imv_profile *p, imv_serve_reply *reply)
{
    return run(s, p, NULL, 1, NULL, reply);
}

/* ---- the difference view ---------------------------------------------- */

static void add_change(cJSON *out, const char *field, const cJSON *from, const cJSON *to)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "field", field);
    cJSON_AddItemToObject(c, "from", from ? cJSON_Duplicate(from, 1) : cJSON_CreateNull());
    cJSON_AddItemToObject(c, "to", to ? cJSON_Duplicate(to, 1) : cJSON_CreateNull());
    cJSON_AddItemToArray(out, c);
}

/* Fields of two profiles that differ: top-level keys, and one level into
 * objects (ratings.X, facts.X, ofsted.X, ...), each compared whole. */
static void changed_fields(cJSON *out, const char *prefix, const cJSON *a, const cJSON *b, int depth)
{
    const cJSON *x;
    char path[300];
    cJSON_ArrayForEach(x, b)
    {
        const cJSON *y = x->string ? get(a, x->string) : NULL;
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", x->string ? x->string : "");
        if (depth == 0 && cJSON_IsObject(x) && cJSON_IsObject(y))
            changed_fields(out, path, y, x, depth + 1);
        else if (!y || !cJSON_Compare(x, y, 1))
            add_change(out, path, y, x);
    }
    cJSON_ArrayForEach(x, a)
    {
        if (x->string && !get(b, x->string)) {
            snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", x->string);
            add_change(out, path, x, NULL);
        }
    }
}

static const cJSON *entry_of(const cJSON *ranking, const char *model)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, ranking)
    {
        const cJSON *m = get(e, "model");
        if (cJSON_IsString(m) && model && strcmp(m->valuestring, model) == 0)
            return e;
    }
    return NULL;
}

static const cJSON *reason_of(const cJSON *reasons, const char *text)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, reasons)
    {
        const cJSON *t = get(r, "text");
        if (cJSON_IsString(t) && text && strcmp(t->valuestring, text) == 0)
            return r;
    }
    return NULL;
}

static void add_reason(cJSON *arr, const cJSON *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "text", cJSON_Duplicate(get(r, "text"), 1));
    cJSON_AddItemToObject(o, "points", cJSON_Duplicate(get(r, "points"), 1));
    cJSON_AddItemToArray(arr, o);
}

static int has_string(const cJSON *arr, const char *s)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr) if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0) return 1;
    return 0;
}

static void copy_num(cJSON *o, const char *k, const cJSON *from)
{
    cJSON_AddItemToObject(o, k,
                          cJSON_IsNumber(from) ? cJSON_CreateNumber(from->valuedouble)
                                               : cJSON_CreateNull());
}

static cJSON *model_diff(const cJSON *be, const cJSON *se)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "model", cJSON_Duplicate(get(se, "model"), 1));
    copy_num(o, "from_rank", get(be, "rank"));
    copy_num(o, "to_rank", get(se, "rank"));
    const cJSON *bs = get(be, "score"), *ss = get(se, "score");
    copy_num(o, "from_score", bs);
    copy_num(o, "to_score", ss);
    if (cJSON_IsNumber(bs) && cJSON_IsNumber(ss))
        cJSON_AddNumberToObject(o, "delta", imv_round1(ss->valuedouble - bs->valuedouble));
    else
        cJSON_AddNullToObject(o, "delta");
    cJSON_AddBoolToObject(o, "from_viable", cJSON_IsTrue(get(be, "viable")));
    cJSON_AddBoolToObject(o, "to_viable", cJSON_IsTrue(get(se, "viable")));
    cJSON *added = cJSON_AddArrayToObject(o, "reasons_added");
    cJSON *removed = cJSON_AddArrayToObject(o, "reasons_removed");
    cJSON *changed = cJSON_AddArrayToObject(o, "reasons_changed");
    const cJSON *br = get(be, "reasons"), *sr = get(se, "reasons"), *r;
    cJSON_ArrayForEach(r, sr)
    {
        const cJSON *t = get(r, "text");
        const cJSON *old = cJSON_IsString(t) ? reason_of(br, t->valuestring) : NULL;
        if (!old) {
            add_reason(added, r);
        } else if (!cJSON_Compare(get(old, "points"), get(r, "points"), 1)) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddItemToObject(c, "text", cJSON_Duplicate(t, 1));
            copy_num(c, "from_points", get(old, "points"));
            copy_num(c, "to_points", get(r, "points"));
            cJSON_AddItemToArray(changed, c);
        }
    }
    cJSON_ArrayForEach(r, br)
    {
        const cJSON *t = get(r, "text");
        if (!cJSON_IsString(t) || !reason_of(sr, t->valuestring))
            add_reason(removed, r);
    }
    cJSON *met = cJSON_AddArrayToObject(o, "preconditions_met");
    cJSON *unmet = cJSON_AddArrayToObject(o, "preconditions_unmet");
    const cJSON *bu = get(be, "unmet_preconditions"), *su = get(se, "unmet_preconditions"), *x;
    cJSON_ArrayForEach(x, bu) if (cJSON_IsString(x) && !has_string(su, x->valuestring))
        cJSON_AddItemToArray(met, cJSON_CreateString(x->valuestring));
    cJSON_ArrayForEach(x, su) if (cJSON_IsString(x) && !has_string(bu, x->valuestring))
        cJSON_AddItemToArray(unmet, cJSON_CreateString(x->valuestring));
    return o;
}

static cJSON *dup_or_null(const cJSON *x)
{
    return x ? cJSON_Duplicate(x, 1) : cJSON_CreateNull();
}

cJSON *imv_srv_diff(const cJSON *base_profile, const cJSON *profile, const cJSON *base_doc,
                    const cJSON *doc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "imeval-diff/1");
    changed_fields(cJSON_AddArrayToObject(o, "changed_inputs"), "", base_profile, profile, 0);
    const cJSON *b0 = cJSON_GetArrayItem(get(base_doc, "results"), 0);
    const cJSON *s0 = cJSON_GetArrayItem(get(doc, "results"), 0);
    cJSON *rec = cJSON_AddObjectToObject(o, "recommended");
    cJSON_AddItemToObject(rec, "from", dup_or_null(get(b0, "recommended")));
    cJSON_AddItemToObject(rec, "to", dup_or_null(get(s0, "recommended")));
    cJSON *models = cJSON_AddArrayToObject(o, "models");
    const cJSON *e;
    cJSON_ArrayForEach(e, get(s0, "ranking"))
    {
        const cJSON *m = get(e, "model");
        const cJSON *be = cJSON_IsString(m) ? entry_of(get(b0, "ranking"), m->valuestring) : NULL;
        cJSON_AddItemToArray(models, model_diff(be, e));
    }
    return o;
}

/* ---- the report and its sections ---------------------------------------- */

typedef struct rep {
    cJSON *inputs, *sdoc, *sens_arr;
    imv_report_authority a;
    imv_report r;
    char when[64];
} rep;

static void rep_init(rep *x, imv_serve *s, const imv_profile *p, const cJSON *doc,
                     const char *doc_text, const cJSON *sens, const cJSON *what_if)
{
    memset(x, 0, sizeof *x);
    imv_diags none;
    imv_diags_init(&none);
    x->inputs = imv_report_inputs_json(p, &none);
    if (what_if)
        cJSON_AddItemToObject(x->inputs, "what_if", cJSON_Duplicate(what_if, 1));
    x->sdoc = cJSON_CreateObject();
    cJSON_AddStringToObject(x->sdoc, "format", IMV_SENSITIVITY_FORMAT);
    x->sens_arr = cJSON_AddArrayToObject(x->sdoc, "results");
    if (sens)
        cJSON_AddItemReferenceToArray(x->sens_arr, (cJSON *)sens);
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(x->when, sizeof x->when, "%Y-%m-%d %H:%M UTC", &tm);
    x->a = (imv_report_authority){cJSON_GetArrayItem(get(doc, "results"), 0), sens, x->inputs, NULL};
    x->r = (imv_report){doc,   doc_text, x->sdoc, 1,
                        &x->a, s->reg,   x->when, "imeval serve (the what-if page)"};
}

static void rep_clear(rep *x)
{
    cJSON_Delete(x->inputs);
    cJSON_Delete(x->sdoc);
}

char *imv_srv_report_html(imv_serve *s, const imv_profile *p, const cJSON *doc,
                          const char *doc_text, const cJSON *sens, const cJSON *what_if, size_t *len)
{
    rep x;
    rep_init(&x, s, p, doc, doc_text, sens, what_if);
    char *html = NULL;
    *len = 0;
    FILE *m = open_memstream(&html, len);
    int rc = m ? imv_report_write(m, &x.r) : IMV_ENOMEM;
    if (m && fclose(m) != 0)
        rc = IMV_ENOMEM;
    rep_clear(&x);
    if (rc != IMV_OK) {
        free(html);
        return NULL;
    }
    return html;
}

cJSON *imv_srv_sections(imv_serve *s, const imv_profile *p, const cJSON *doc, const char *doc_text,
                        const cJSON *sens, const cJSON *names, imv_serve_reply *reply)
{
    static const char *const all[] = {"summary", "ranking",  "robustness", "why",
                                      "change",  "timeline", "partners",   "inputs"};
    enum { N_ALL = sizeof all / sizeof all[0] };
    const char *want[N_ALL];
    size_t n = 0;
    if (!names) {
        for (; n < N_ALL; n++)
            want[n] = all[n];
    } else {
        const cJSON *nm;
        cJSON_ArrayForEach(nm, names)
        {
            if (n == N_ALL || !cJSON_IsString(nm)) {
                imv_srv_reply_error(reply, 400, NULL,
                                    "\"sections\": at most %d names, each a string", N_ALL);
                return NULL;
            }
            want[n++] = nm->valuestring;
        }
    }
    char *html[N_ALL] = {0};
    size_t len[N_ALL] = {0};
    FILE *outs[N_ALL] = {0};
    cJSON *out = NULL;
    int rc = IMV_OK;
    for (size_t i = 0; i < n; i++)
        if (!(outs[i] = open_memstream(&html[i], &len[i])))
            rc = IMV_ENOMEM;
    rep x;
    rep_init(&x, s, p, doc, doc_text, sens, NULL);
    if (rc == IMV_OK)
        rc = imv_report_sections(&x.r, want, outs, n);
    rep_clear(&x);
    for (size_t i = 0; i < n; i++)
        if (outs[i] && fclose(outs[i]) != 0)
            rc = IMV_ENOMEM;
    if (rc == IMV_EINVAL)
        imv_srv_reply_error(reply, 400, NULL,
                            "\"sections\": summary, ranking, robustness, why, change, "
                            "timeline, partners or inputs");
    else if (rc != IMV_OK)
        imv_srv_reply_error(reply, 500, NULL, "the sections could not be written");
    if (rc == IMV_OK) {
        out = cJSON_CreateObject();
        for (size_t i = 0; i < n; i++)
            if (!cJSON_GetObjectItemCaseSensitive(out, want[i]))
                cJSON_AddItemToObject(out, want[i], cJSON_CreateString(html[i] ? html[i] : ""));
    }
    for (size_t i = 0; i < n; i++)
        free(html[i]);
    return out;
}
