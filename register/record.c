/*
 * record.c - from the engine's objects to register entries, and back:
 * recording an evaluation as an assessment (the profile as assessed, the
 * run, the full result JSON) and replaying one with its recorded models
 * and parameters.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "register.h"
#include "sha256.h"
#include "store.h"
#include "uncertainty.h"

char *imv_register_result_json(const imv_registry *reg, const imv_evaluation *e, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    if (len)
        *len = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    imv_output *o = imv_output_new(f, IMV_FMT_JSON, 0, reg, NULL);
    imv_output_begin(o);
    imv_output_evaluation(o, e);
    imv_output_end(o, NULL);
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

/* The profile whose id is `id` among the JSON values in text: one object,
 * an array of them, JSON Lines or objects one after another. */
static cJSON *find_profile(const char *text, const char *id)
{
    const char *p = text;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithOpts(p, &end, 0);
        if (!j)
            return NULL;
        cJSON *items = cJSON_IsArray(j) ? j : NULL, *it;
        if (!items) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "id");
            if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
                return j;
        } else {
            cJSON_ArrayForEach(it, items)
            {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "id");
                if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0) {
                    cJSON *found = cJSON_DetachItemViaPointer(items, it);
                    cJSON_Delete(j);
                    return found;
                }
            }
        }
        cJSON_Delete(j);
        p = end;
    }
    return NULL;
}

/* The profile file last read, kept while its size and time do not
 * change, with where each line starts: recording every profile of a
 * large file then reads it once, not once per profile. */
typedef struct src_cache {
    char *path;
    struct stat st;
    char *text;
    size_t len;
    size_t *lines; /* offset of line k+1 */
    size_t n_lines;
} src_cache;

static void src_cache_free(void *p)
{
    src_cache *c = p;
    if (!c)
        return;
    free(c->path);
    free(c->text);
    free(c->lines);
    free(c);
}

static src_cache *src_load(imv_register *r, const char *path)
{
    src_cache *c = imv_register_cache(r);
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    if (c && strcmp(c->path, path) == 0 && c->st.st_ino == st.st_ino && c->st.st_size == st.st_size &&
        c->st.st_mtim.tv_sec == st.st_mtim.tv_sec && c->st.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
        return c;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    c = imv_xcalloc(1, sizeof *c);
    c->path = imv_xstrdup(path);
    c->st = st;
    FILE *m = open_memstream(&c->text, &c->len);
    char buf[65536];
    size_t got;
    while (m && (got = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, got, m);
    if (m)
        fclose(m);
    fclose(f);
    if (!c->text) {
        src_cache_free(c);
        return NULL;
    }
    size_t cap = 0;
    for (size_t i = 0, start = 0; i <= c->len; i++)
        if (i == c->len || c->text[i] == '\n') {
            imv_grow((void **)&c->lines, &cap, c->n_lines + 1, sizeof *c->lines);
            c->lines[c->n_lines++] = start;
            start = i + 1;
        }
    imv_register_set_cache(r, c, src_cache_free);
    return c;
}

/* The object with this id among the values starting at p (a JSON Lines
 * line, an array's element and those after it on the line). */
static cJSON *find_from(const char *p, const char *id)
{
    for (int tries = 0; *p && tries < 64; tries++) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ',' || *p == '[')
            p++;
        if (*p != '{')
            return NULL;
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithOpts(p, &end, 0);
        if (!j)
            return NULL;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "id");
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            return j;
        cJSON_Delete(j);
        p = end;
    }
    return NULL;
}

static char *profile_from_source(imv_register *r, const imv_profile *p, char *err, size_t errlen)
{
    const char *src = p->source;
    const char *dot = src ? strrchr(src, '.') : NULL;
    if (!src || strcmp(src, "-") == 0 || (dot && strcasecmp(dot, ".csv") == 0)) {
        imv_store_err(err, errlen,
                      "%s: the register keeps profiles as JSON; %s cannot be read "
                      "again: record from a JSON profile file",
                      p->id, src && strcmp(src, "-") ? src : "standard input");
        return NULL;
    }
    src_cache *c = src_load(r, src);
    cJSON *j = NULL;
    if (c && p->line >= 1 && (size_t)p->line <= c->n_lines)
        j = find_from(c->text + c->lines[p->line - 1], p->id);
    if (!j && c)
        j = find_profile(c->text, p->id);
    char *out = j ? cJSON_PrintUnformatted(j) : NULL;
    if (!j)
        imv_store_err(err, errlen,
                      "%s: could not read profile %s again to record it (was the "
                      "file changed during the run?)",
                      src, p->id);
    cJSON_Delete(j);
    return out;
}

/* "torbay-2018" -> "torbay": a trailing -YYYY[-MM[-DD]] is the date. */
static char *authority_of(const char *id)
{
    char *a = imv_xstrdup(id);
    for (char *dash = strrchr(a, '-'); dash; dash = strrchr(a, '-')) {
        const char *d = dash + 1;
        size_t len = strlen(d);
        int digits = len > 0;
        for (size_t i = 0; i < len; i++)
            digits &= isdigit((unsigned char)d[i]) != 0;
        if (!digits || dash == a)
            break;
        *dash = 0;
        if (len == 4)
            break;
    }
    return a;
}

/* The mean of the ratings' point values with failure_extent turned round,
 * so higher is better throughout: the trajectory's one number. */
static double rating_index(const imv_profile *p)
{
    double sum = 0;
    int fe = imv_rating_index("failure_extent");
    for (int i = 0; i < IMV_R_COUNT; i++) {
        double v = imv_range_point(&p->ratings[i]);
        sum += i == fe ? 4 - v : v;
    }
    return round(sum / IMV_R_COUNT * 1000) / 1000;
}

static const char *str_at(const cJSON *j, const char *path1, const char *path2)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, path1);
    if (path2)
        v = cJSON_GetObjectItemCaseSensitive(v, path2);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int in_dir(const char *path, const char *dir)
{
    size_t n = dir ? strlen(dir) : 0;
    return n && strncmp(path, dir, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/');
}

static cJSON *models_json(const imv_registry *reg)
{
    cJSON *a = cJSON_CreateArray();
    const char *bundled = imv_registry_bundled_dir();
    for (size_t i = 0; i < imv_registry_count(reg); i++) {
        const imv_model *m = imv_registry_get(reg, i);
        cJSON *o = cJSON_CreateObject();
        char path[4096], hex[IMV_SHA256_HEX] = "";
        unsigned char d[32];
        const char *p = imv_model_path(m);
        if (p && realpath(p, path))
            p = path;
        cJSON_AddStringToObject(o, "id", imv_model_id(m));
        cJSON_AddStringToObject(o, "name", imv_model_name(m));
        cJSON_AddStringToObject(o, "version", imv_model_version(m));
        cJSON_AddStringToObject(o, "language", imv_model_language(m));
        cJSON_AddStringToObject(o, "path", p ? p : "");
        if (p && imv_sha256_file(p, d) == 0)
            imv_sha256_hex(d, hex);
        cJSON_AddStringToObject(o, "sha256", hex);
        char bdir[4096];
        cJSON_AddBoolToObject(o, "bundled",
                              bundled && realpath(bundled, bdir) && p && in_dir(p, bdir));
        cJSON *params = cJSON_AddObjectToObject(o, "parameters");
        const double *vals = imv_model_param_values(m);
        for (size_t k = 0; k < imv_model_param_count(m); k++)
            cJSON_AddNumberToObject(params, imv_model_param(m, k)->name, vals[k]);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *run_json(const imv_registry *reg, const imv_register_run *run)
{
    cJSON *o = cJSON_CreateObject();
    char seed[32];
    cJSON_AddStringToObject(o, "engine", IMV_VERSION);
    cJSON_AddNumberToObject(o, "draws", run ? (double)run->draws : 0);
    snprintf(seed, sizeof seed, "%llu", run ? (unsigned long long)run->seed : 1ULL);
    cJSON_AddStringToObject(o, "seed", seed);
    cJSON_AddBoolToObject(o, "vary_parameters", run && run->vary_parameters);
    cJSON *cmd = cJSON_AddArrayToObject(o, "command");
    for (int i = 0; run && i < run->argc; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(run->argv[i]));
    cJSON_AddItemToObject(o, "models", models_json(reg));
    return o;
}

static char *default_author(void)
{
    const char *u = getenv("IMEVAL_AUTHOR");
    if (!u || !*u)
        u = getenv("USER");
    return imv_xstrdup(u && *u ? u : "unknown");
}

int imv_register_record_evaluation(imv_register *r, const imv_registry *reg,
                                   const imv_evaluation *e, const imv_register_run *run,
                                   const char *profile_json, const imv_register_assessment_in *in,
                                   char *id_out, size_t id_len, char *err, size_t errlen)
{
    const imv_profile *p = e->profile;
    imv_register_assessment_in none = {0};
    imv_register_entry en = {0};
    cJSON *body = NULL, *res = NULL, *prof = NULL;
    char *pjson = NULL, *rjson = NULL;
    size_t rlen = 0;
    int rc = 0;
    if (!in)
        in = &none;
    pjson = profile_json ? imv_xstrdup(profile_json) : profile_from_source(r, p, err, errlen);
    rjson = imv_register_result_json(reg, e, &rlen);
    if (!pjson || !rjson) {
        if (!rjson)
            imv_store_err(err, errlen, "could not write the result of %s", p->id);
        rc = pjson ? IMV_ENOMEM : IMV_EINVAL;
        goto done;
    }
    res = cJSON_Parse(rjson);
    prof = cJSON_Parse(pjson);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "results"), 0);
    en.kind = imv_xstrdup(in->review_of ? "review" : "assessment");
    en.id = in->id ? imv_xstrdup(in->id) : NULL;
    en.authority = in->authority ? imv_xstrdup(in->authority) : authority_of(p->id);
    en.ref = in->review_of ? imv_xstrdup(in->review_of) : NULL;
    en.supersedes = in->supersedes ? imv_xstrdup(in->supersedes) : NULL;
    en.author = in->author ? imv_xstrdup(in->author) : default_author();
    en.role = imv_xstrdup(in->role ? in->role : "adviser");
    en.as_of = imv_xstrdup(p->as_of);
    en.grade = imv_xstrdup(imv_grade_name(p->grade));
    en.model = e->recommended ? imv_xstrdup(e->recommended) : NULL;
    const char *st = str_at(first, "intervention", "status");
    en.status = st ? imv_xstrdup(st) : NULL;
    const cJSON *prog = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(prof, "current_intervention"), "progress");
    const char *finding = str_at(cJSON_GetArrayItem(prog, 0), "finding", NULL);
    en.finding = finding ? imv_xstrdup(finding) : NULL;
    en.has_rating = 1;
    en.rating = rating_index(p);
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "question", in->question ? in->question : "which intervention?");
    cJSON_AddStringToObject(body, "rated_by", in->rated_by ? in->rated_by : en.author);
    if (in->rated_on)
        cJSON_AddStringToObject(body, "rated_on", in->rated_on);
    cJSON *pi = cJSON_AddObjectToObject(body, "profile");
    cJSON_AddStringToObject(pi, "id", p->id);
    cJSON_AddStringToObject(pi, "name", p->name);
    cJSON_AddStringToObject(pi, "source", p->source ? p->source : "");
    cJSON_AddNumberToObject(pi, "line", (double)p->line);
    const char *src_note = str_at(prof, "source", NULL);
    if (src_note)
        cJSON_AddStringToObject(pi, "rated_from", src_note);
    cJSON_AddItemToObject(body, "run", run_json(reg, run));
    cJSON *rk = cJSON_AddArrayToObject(body, "ranking");
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(first, "ranking"))
    {
        cJSON *o = cJSON_CreateObject();
        static const char *const keep[] = {"model", "rank", "score", "viable"};
        for (size_t k = 0; k < 4; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, keep[k]);
            if (v)
                cJSON_AddItemToObject(o, keep[k], cJSON_Duplicate(v, 1));
        }
        cJSON_AddItemToArray(rk, o);
    }
    en.body = cJSON_PrintUnformatted(body);
    imv_register_blob blobs[2] = {{"profile", pjson, strlen(pjson), ""}, {"result", rjson, rlen, ""}};
    rc = imv_register_append(r, &en, blobs, 2, err, errlen);
    if (rc == 0 && id_out)
        snprintf(id_out, id_len, "%s", en.id);
done:
    cJSON_Delete(body);
    cJSON_Delete(res);
    cJSON_Delete(prof);
    imv_register_entry_clear(&en);
    free(pjson);
    free(rjson);
    return rc;
}

/* ---- the assessment and what rests on it (for imeval report) ---------- */

static int superseded(const imv_register_entry *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].supersedes && strcmp(v[i].supersedes, id) == 0)
            return 1;
    return 0;
}

static void push(imv_register_entry **v, size_t *n, imv_register_entry *e)
{
    *v = imv_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = *e;
    memset(e, 0, sizeof *e);
}

int imv_register_assessment_get(imv_register *r, const char *id, imv_register_assessment **out,
                                char *err, size_t errlen)
{
    imv_register_entry *all = NULL;
    size_t n = 0;
    *out = NULL;
    imv_register_assessment *a = imv_xcalloc(1, sizeof *a);
    int rc = imv_register_get(r, id, &a->entry, err, errlen);
    if (rc)
        goto fail;
    if (!a->entry->profile_sha) {
        imv_store_err(err, errlen, "%s is a %s, not an assessment", id, a->entry->kind);
        rc = IMV_EUSAGE;
        goto fail;
    }
    if ((rc = imv_register_blob_get(r, a->entry->profile_sha, &a->profile_json, NULL, err, errlen)) ||
        (rc = imv_register_blob_get(r, a->entry->result_sha, &a->result_json, NULL, err, errlen)))
        goto fail;
    if ((rc = imv_register_list(r, a->entry->authority, &all, &n, err, errlen)))
        goto fail;
    /* Decisions on it first, then what concerns it or them. */
    for (size_t i = 0; i < n; i++) {
        imv_register_entry *e = &all[i];
        if (strcmp(e->kind, "decision") || !e->ref || strcmp(e->ref, id) || superseded(all, n, e->id))
            continue;
        if (a->decision)
            imv_register_entry_free(a->decision);
        a->decision = imv_xcalloc(1, sizeof *a->decision);
        *a->decision = *e;
        memset(e, 0, sizeof *e);
    }
    for (size_t i = 0; i < n; i++) {
        imv_register_entry *e = &all[i];
        if (!e->kind || !e->ref || superseded(all, n, e->id))
            continue;
        int about = strcmp(e->ref, id) == 0 || (a->decision && strcmp(e->ref, a->decision->id) == 0);
        if (!about)
            continue;
        if (strcmp(e->kind, "assumption") == 0)
            push(&a->assumptions, &a->n_assumptions, e);
        else if (strcmp(e->kind, "sign-off") == 0)
            push(&a->signoffs, &a->n_signoffs, e);
        else if (strcmp(e->kind, "review") == 0)
            push(&a->reviews, &a->n_reviews, e);
    }
    imv_register_entries_free(all, n);
    *out = a;
    return 0;
fail:
    imv_register_entries_free(all, n);
    imv_register_assessment_free(a);
    return rc;
}

void imv_register_assessment_free(imv_register_assessment *a)
{
    if (!a)
        return;
    imv_register_entry_free(a->entry);
    imv_register_entry_free(a->decision);
    imv_register_entries_free(a->assumptions, a->n_assumptions);
    imv_register_entries_free(a->signoffs, a->n_signoffs);
    imv_register_entries_free(a->reviews, a->n_reviews);
    free(a->profile_json);
    free(a->result_json);
    free(a);
}

/* ---- replay ---------------------------------------------------------- */

static void diag_to_err(const imv_diags *d, char *err, size_t errlen)
{
    char buf[1200] = "unknown error";
    for (size_t i = 0; i < d->n; i++)
        if (!d->v[i].warning) {
            imv_diag_format(&d->v[i], buf, sizeof buf);
            break;
        }
    imv_store_err(err, errlen, "%s", buf);
}

/* Load the recorded model files with their recorded parameters; note in
 * models_out which files changed since. */
static imv_registry *replay_models(const cJSON *models, const imv_limits *limits, cJSON *models_out,
                                   char *err, size_t errlen)
{
    imv_registry *reg = imv_registry_new(limits);
    imv_diags d;
    imv_diags_init(&d);
    const cJSON *m;
    cJSON_ArrayForEach(m, models)
    {
        const char *id = str_at(m, "id", NULL), *path = str_at(m, "path", NULL);
        const char *sha = str_at(m, "sha256", NULL);
        unsigned char dg[32];
        char now[IMV_SHA256_HEX] = "";
        int exists = path && imv_sha256_file(path, dg) == 0;
        if (exists)
            imv_sha256_hex(dg, now);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", id ? id : "");
        cJSON_AddStringToObject(o, "path", path ? path : "");
        cJSON_AddStringToObject(o, "recorded_sha256", sha ? sha : "");
        cJSON_AddStringToObject(o, "current_sha256", now);
        cJSON_AddBoolToObject(o, "changed", !sha || strcmp(sha, now) != 0);
        cJSON_AddItemToArray(models_out, o);
        if (!exists) {
            imv_store_err(err, errlen,
                          "model %s was recorded from %s, which is gone: restore "
                          "that file to replay",
                          id ? id : "?", path ? path : "?");
            goto fail;
        }
        if (imv_registry_load_file(reg, path, cJSON_IsTrue(cJSON_GetObjectItem(m, "bundled")), &d) <
                0 ||
            d.n_errors) {
            diag_to_err(&d, err, errlen);
            goto fail;
        }
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "parameters"))
        {
            char set[512];
            snprintf(set, sizeof set, "%s.%s=%.17g", id, p->string, p->valuedouble);
            if (imv_registry_set(reg, set, &d) < 0 || d.n_errors) {
                diag_to_err(&d, err, errlen);
                goto fail;
            }
        }
    }
    imv_diags_free(&d);
    return reg;
fail:
    imv_diags_free(&d);
    imv_registry_free(reg);
    return NULL;
}

/* Each model's rank and score before and after, by model id. */
static cJSON *ranking_diff(const char *before, const char *after)
{
    cJSON *a = cJSON_Parse(before), *b = cJSON_Parse(after);
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "results"), 0), "ranking");
    const cJSON *rb = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "results"), 0), "ranking");
    cJSON *out = cJSON_CreateArray();
    const cJSON *x, *y;
    cJSON_ArrayForEach(x, ra)
    {
        const char *id = str_at(x, "model", NULL);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", id ? id : "");
        cJSON_AddItemToObject(o, "recorded_rank", cJSON_Duplicate(cJSON_GetObjectItem(x, "rank"), 1));
        cJSON_AddItemToObject(o, "recorded_score",
                              cJSON_Duplicate(cJSON_GetObjectItem(x, "score"), 1));
        cJSON_ArrayForEach(y, rb)
        {
            const char *id2 = str_at(y, "model", NULL);
            if (id && id2 && strcmp(id, id2) == 0) {
                cJSON_AddItemToObject(o, "replayed_rank",
                                      cJSON_Duplicate(cJSON_GetObjectItem(y, "rank"), 1));
                cJSON_AddItemToObject(o, "replayed_score",
                                      cJSON_Duplicate(cJSON_GetObjectItem(y, "score"), 1));
            }
        }
        cJSON_AddItemToArray(out, o);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return out;
}

int imv_register_replay(imv_register *r, const char *id, const imv_limits *limits,
                        struct cJSON **out, char *err, size_t errlen)
{
    imv_register_entry *e = NULL;
    char *pjson = NULL, *recorded = NULL, *now = NULL;
    cJSON *body = NULL, *pj = NULL, *rep = NULL;
    imv_registry *reg = NULL;
    imv_worker *w = NULL;
    imv_profile *p = NULL;
    imv_evaluation ev;
    int have_ev = 0;
    imv_diags d;
    imv_diags_init(&d);
    *out = NULL;
    int rc = imv_register_get(r, id, &e, err, errlen);
    if (rc)
        goto done;
    if (!e->profile_sha) {
        imv_store_err(err, errlen, "%s is a %s: only assessments and reviews can be replayed", id,
                      e->kind);
        rc = IMV_EUSAGE;
        goto done;
    }
    size_t rlen;
    if ((rc = imv_register_blob_get(r, e->profile_sha, &pjson, NULL, err, errlen)) ||
        (rc = imv_register_blob_get(r, e->result_sha, &recorded, &rlen, err, errlen)))
        goto done;
    body = cJSON_Parse(e->body);
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(body, "run");
    const cJSON *pinfo = cJSON_GetObjectItemCaseSensitive(body, "profile");
    rep = cJSON_CreateObject();
    cJSON_AddStringToObject(rep, "id", id);
    cJSON *models = cJSON_AddArrayToObject(rep, "models");
    reg = replay_models(cJSON_GetObjectItemCaseSensitive(run, "models"), limits, models, err, errlen);
    if (!reg) {
        rc = IMV_EPLUGIN;
        goto done;
    }
    pj = cJSON_Parse(pjson);
    const char *src = str_at(pinfo, "source", NULL);
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(pinfo, "line");
    if (imv_profile_from_json(pj, src ? src : "register",
                              cJSON_IsNumber(line) ? (long)line->valuedouble : 1, 0, &p, &d) < 0) {
        diag_to_err(&d, err, errlen);
        rc = IMV_EPARSE;
        goto done;
    }
    w = imv_worker_new(reg);
    if ((rc = imv_evaluate(w, p, &ev))) {
        imv_store_err(err, errlen, "could not evaluate %s again", p->id);
        goto done;
    }
    have_ev = 1;
    const cJSON *draws = cJSON_GetObjectItemCaseSensitive(run, "draws");
    const char *seed = str_at(run, "seed", NULL);
    if (cJSON_IsNumber(draws) && draws->valuedouble > 0 &&
        (rc = imv_uncertainty_run(w, &ev, (size_t)draws->valuedouble,
                                  seed ? strtoull(seed, NULL, 10) : 1,
                                  cJSON_IsTrue(cJSON_GetObjectItem(run, "vary_parameters"))))) {
        imv_store_err(err, errlen, "could not repeat the draws of %s", p->id);
        goto done;
    }
    size_t nlen = 0;
    now = imv_register_result_json(reg, &ev, &nlen);
    if (!now) {
        imv_store_err(err, errlen, "could not write the replayed result of %s", p->id);
        rc = IMV_ENOMEM;
        goto done;
    }
    unsigned char dg[32];
    char hex[IMV_SHA256_HEX];
    imv_sha256(now, nlen, dg);
    int same = nlen == rlen && memcmp(now, recorded, rlen) == 0;
    cJSON_AddBoolToObject(rep, "identical", same);
    cJSON_AddStringToObject(rep, "recorded_sha256", e->result_sha);
    cJSON_AddStringToObject(rep, "replayed_sha256", imv_sha256_hex(dg, hex));
    cJSON *rec = cJSON_Parse(recorded), *nw = cJSON_Parse(now);
    const char *ra = str_at(cJSON_GetArrayItem(cJSON_GetObjectItem(rec, "results"), 0),
                            "recommended", NULL);
    const char *rb = str_at(cJSON_GetArrayItem(cJSON_GetObjectItem(nw, "results"), 0),
                            "recommended", NULL);
    cJSON_AddStringToObject(rep, "recorded_recommended", ra ? ra : "");
    cJSON_AddStringToObject(rep, "replayed_recommended", rb ? rb : "");
    cJSON_Delete(rec);
    cJSON_Delete(nw);
    cJSON_AddItemToObject(rep, "ranking", ranking_diff(recorded, now));
    *out = rep;
    rep = NULL;
done:
    if (have_ev)
        imv_evaluation_clear(&ev);
    imv_worker_free(w);
    imv_profile_free(p);
    imv_registry_free(reg);
    imv_diags_free(&d);
    cJSON_Delete(body);
    cJSON_Delete(pj);
    cJSON_Delete(rep);
    imv_register_entry_free(e);
    free(pjson);
    free(recorded);
    free(now);
    return rc;
}
