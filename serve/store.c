/*
 * store.c - the profiles the server offers and what it writes: the JSON
 * profile files named on the command line (read once at start, kept as
 * given), the assessments in the register (read on request), and the
 * entries a user asks to record: a decision on an assessment, and a
 * what-if scenario, which is recorded as an assumption of the assessment
 * it varies, its body marked "what_if": true with the profile, the
 * changed inputs and the resulting ranking, so that it can never be
 * counted as an assessment (it is not scored, reviewed or replayed).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "register.h"
#include "serve.h"

#define MAX_FILE (16u << 20)

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static char *str_or_null(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? imv_xstrdup(v->valuestring) : NULL;
}

static void add_profile(imv_serve *s, const char *path, long line, const cJSON *obj, imv_diags *d)
{
    imv_profile *p = NULL;
    size_t before = d->n_errors;
    if (imv_profile_from_json(obj, path, line, s->strict, &p, d) != IMV_OK || !p ||
        d->n_errors > before) {
        imv_profile_free(p);
        return; /* its messages are in d; the other profiles are still served */
    }
    imv_profile_free(p);
    s->profiles = imv_xrealloc(s->profiles, (s->n_profiles + 1) * sizeof *s->profiles);
    imv_srv_profile *sp = &s->profiles[s->n_profiles];
    memset(sp, 0, sizeof *sp);
    snprintf(sp->key, sizeof sp->key, "f%zu", s->n_profiles);
    sp->id = str_or_null(obj, "id");
    sp->name = str_or_null(obj, "name");
    sp->as_of = str_or_null(obj, "as_of");
    sp->source = imv_xstrdup(path);
    sp->json = cJSON_PrintUnformatted(obj);
    s->n_profiles++;
}

static char *slurp(const char *path, size_t *len, imv_diags *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        imv_diags_add(d, 0, path, NULL, "cannot read the profile file: %m");
        return NULL;
    }
    char *buf = imv_xmalloc(MAX_FILE + 1);
    *len = fread(buf, 1, MAX_FILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || *len > MAX_FILE) {
        imv_diags_add(d, 0, path, NULL,
                      bad ? "cannot read the profile file"
                          : "larger than %u MiB: serve a few profiles, not a batch",
                      MAX_FILE >> 20);
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

static void load_file(imv_serve *s, const char *path, imv_diags *d)
{
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".csv") == 0) {
        imv_diags_add(d, 0, path, NULL,
                      "imeval serve reads JSON profiles; CSV files are for "
                      "imeval evaluate (give the page one profile as JSON)");
        return;
    }
    size_t len;
    char *buf = slurp(path, &len, d);
    if (!buf)
        return;
    cJSON *all = cJSON_ParseWithLength(buf, len);
    if (cJSON_IsObject(all)) {
        add_profile(s, path, 1, all, d);
    } else if (cJSON_IsArray(all)) {
        const cJSON *x;
        cJSON_ArrayForEach(x, all) if (cJSON_IsObject(x)) add_profile(s, path, 1, x, d);
    } else {
        /* JSON Lines: one profile a line. */
        long line = 0;
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            line++;
            if (strspn(l, " \t\r") == strlen(l))
                continue;
            cJSON *j = cJSON_Parse(l);
            if (cJSON_IsObject(j))
                add_profile(s, path, line, j, d);
            else
                imv_diags_add_at(d, 0, path, line, NULL,
                                 "not a JSON object (a profile, an array of "
                                 "them, or one a line)");
            cJSON_Delete(j);
        }
    }
    cJSON_Delete(all);
    free(buf);
}

int imv_srv_profiles_load(imv_serve *s, const char *const *paths, size_t n, imv_diags *diags)
{
    for (size_t i = 0; i < n; i++)
        load_file(s, paths[i], diags);
    return IMV_OK;
}

void imv_srv_profiles_free(imv_serve *s)
{
    for (size_t i = 0; i < s->n_profiles; i++) {
        free(s->profiles[i].id);
        free(s->profiles[i].name);
        free(s->profiles[i].as_of);
        free(s->profiles[i].source);
        free(s->profiles[i].json);
    }
    free(s->profiles);
    s->profiles = NULL;
    s->n_profiles = 0;
}

static int is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* A what-if recorded by this server (an assumption marked so). */
static int is_what_if(const imv_register_entry *e)
{
    if (!is(e->kind, "assumption") || !e->body)
        return 0;
    cJSON *b = cJSON_Parse(e->body);
    int w = cJSON_IsTrue(get(b, "what_if"));
    cJSON_Delete(b);
    return w;
}

cJSON *imv_srv_profiles_list(imv_serve *s, imv_serve_reply *reply)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(doc, "profiles");
    for (size_t i = 0; i < s->n_profiles; i++) {
        const imv_srv_profile *p = &s->profiles[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "key", p->key);
        cJSON_AddStringToObject(o, "id", p->id ? p->id : "");
        cJSON_AddStringToObject(o, "name", p->name ? p->name : "");
        cJSON_AddStringToObject(o, "as_of", p->as_of ? p->as_of : "");
        cJSON_AddStringToObject(o, "origin", "file");
        cJSON_AddStringToObject(o, "source", p->source);
        cJSON_AddItemToArray(arr, o);
    }
    if (!s->regs)
        return doc;
    imv_register_entry *v = NULL;
    size_t n = 0;
    char err[1024];
    pthread_mutex_lock(&s->rmu);
    int rc = imv_register_list(s->regs, NULL, &v, &n, err, sizeof err);
    pthread_mutex_unlock(&s->rmu);
    if (rc != 0) {
        imv_srv_reply_error(reply, 500, NULL, "the register: %s", err);
        cJSON_Delete(doc);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const imv_register_entry *e = &v[i];
        int what_if = is_what_if(e);
        if (!is(e->kind, "assessment") && !is(e->kind, "review") && !what_if)
            continue;
        cJSON *o = cJSON_CreateObject();
        char key[200];
        snprintf(key, sizeof key, "a-%s", e->id);
        cJSON_AddStringToObject(o, "key", key);
        cJSON_AddStringToObject(o, "id", e->authority ? e->authority : "");
        cJSON_AddStringToObject(o, "as_of", e->as_of ? e->as_of : "");
        cJSON_AddStringToObject(o, "origin", "register");
        cJSON_AddStringToObject(o, "assessment", e->id);
        cJSON_AddStringToObject(o, "kind", what_if ? "what-if" : e->kind);
        cJSON_AddBoolToObject(o, "what_if", what_if);
        cJSON_AddStringToObject(o, "recorded_at", e->at ? e->at : "");
        if (e->model)
            cJSON_AddStringToObject(o, "recommended", e->model);
        cJSON_AddItemToArray(arr, o);
    }
    imv_register_entries_free(v, n);
    return doc;
}

/* The profile an entry of the register holds: an assessment's profile
 * blob, or the profile in a what-if's body. */
static cJSON *register_profile(imv_serve *s, const char *id)
{
    imv_register_entry *e = NULL;
    char err[1024], *body = NULL;
    size_t len = 0;
    cJSON *out = NULL;
    pthread_mutex_lock(&s->rmu);
    if (imv_register_get(s->regs, id, &e, err, sizeof err) != 0)
        goto done;
    if (is_what_if(e)) {
        cJSON *b = cJSON_Parse(e->body);
        out = cJSON_DetachItemFromObjectCaseSensitive(b, "profile");
        cJSON_Delete(b);
    } else if (e->profile_sha &&
               imv_register_blob_get(s->regs, e->profile_sha, &body, &len, err, sizeof err) == 0) {
        out = cJSON_ParseWithLength(body, len);
    }
done:
    pthread_mutex_unlock(&s->rmu);
    free(body);
    imv_register_entry_free(e);
    if (out && !cJSON_IsObject(out)) {
        cJSON_Delete(out);
        out = NULL;
    }
    return out;
}

cJSON *imv_srv_profile_get(imv_serve *s, const char *key, const char **origin)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < s->n_profiles; i++)
        if (strcmp(s->profiles[i].key, key) == 0) {
            *origin = "file";
            return cJSON_Parse(s->profiles[i].json);
        }
    if (s->regs && strncmp(key, "a-", 2) == 0 && strlen(key) < 160) {
        *origin = "register";
        return register_profile(s, key + 2);
    }
    return NULL;
}

static int need_register(imv_serve *s, imv_serve_reply *reply)
{
    if (s->regs)
        return 0;
    imv_srv_reply_error(reply, 409, NULL,
                        "this server has no register: start it with --register "
                        "LOCATION to save scenarios and record decisions");
    return 409;
}

/* A string field of the request: NULL when absent, -1 (with a 400) when
 * not a string or too long. */
static int req_str(const cJSON *root, const char *k, size_t max, const char **out,
                   imv_serve_reply *reply)
{
    const cJSON *v = get(root, k);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
        imv_srv_reply_error(reply, 400, NULL, "\"%s\": a string of at most %zu bytes", k, max);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

static int append(imv_serve *s, imv_register_entry *e, imv_serve_reply *reply)
{
    char err[1024];
    pthread_mutex_lock(&s->rmu);
    int rc = imv_register_append(s->regs, e, NULL, 0, err, sizeof err);
    pthread_mutex_unlock(&s->rmu);
    if (rc != 0) {
        int status = rc == IMV_REG_ENOTFOUND ? 404 : rc == IMV_REG_EDB ? 500 : 422;
        imv_srv_reply_error(reply, status, NULL, "the register refused it: %s", err);
        return status;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "kind", is_what_if(e) ? "what-if" : e->kind);
    cJSON_AddStringToObject(o, "register", imv_register_where(s->regs));
    imv_srv_reply_json(reply, 201, o);
    return 0;
}

static char *author_of(const char *given)
{
    const char *u = given && *given ? given : getenv("USER");
    return imv_xstrdup(u && *u ? u : "unknown");
}

int imv_srv_record_decision(imv_serve *s, const cJSON *root, imv_serve_reply *reply)
{
    const char *assessment, *model, *partner, *why, *author, *role;
    if (need_register(s, reply) || req_str(root, "assessment", 200, &assessment, reply) ||
        req_str(root, "model", 200, &model, reply) || req_str(root, "partner", 200, &partner, reply) ||
        req_str(root, "rationale", 100000, &why, reply) ||
        req_str(root, "author", 200, &author, reply) || req_str(root, "role", 40, &role, reply))
        return reply->status;
    if (!assessment || !model) {
        imv_srv_reply_error(reply, 400, NULL,
                            "a decision needs \"assessment\" (its id) and \"model\" (the one chosen)");
        return 400;
    }
    imv_register_entry *a = NULL;
    char err[1024];
    pthread_mutex_lock(&s->rmu);
    int g = imv_register_get(s->regs, assessment, &a, err, sizeof err);
    pthread_mutex_unlock(&s->rmu);
    if (g != 0) {
        imv_srv_reply_error(reply, g == IMV_REG_ENOTFOUND ? 404 : 500, NULL, "%s", err);
        return reply->status;
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "rationale", why ? why : "");
    if (partner)
        cJSON_AddStringToObject(b, "partner", partner);
    if (a->model)
        cJSON_AddStringToObject(b, "recommended", a->model);
    cJSON_AddBoolToObject(b, "differs_from_recommendation", a->model && strcmp(a->model, model) != 0);
    imv_register_entry e = {.kind = imv_xstrdup("decision"),
                            .ref = imv_xstrdup(assessment),
                            .model = imv_xstrdup(model),
                            .author = author_of(author),
                            .role = imv_xstrdup(role ? role : "adviser"),
                            .body = cJSON_PrintUnformatted(b)};
    cJSON_Delete(b);
    imv_register_entry_free(a);
    int rc = append(s, &e, reply);
    imv_register_entry_clear(&e);
    return rc;
}

int imv_srv_save_scenario(imv_serve *s, const cJSON *root, imv_serve_reply *reply)
{
    const char *base_key, *title, *author;
    if (need_register(s, reply) || req_str(root, "base_key", 200, &base_key, reply) ||
        req_str(root, "title", 2000, &title, reply) || req_str(root, "author", 200, &author, reply))
        return reply->status;
    if (!base_key || strncmp(base_key, "a-", 2) != 0) {
        imv_srv_reply_error(reply, 422, NULL,
                            "a what-if is saved on the assessment it varies: give "
                            "\"base_key\" of an assessment in the register (a-ID)");
        return 422;
    }
    imv_profile *p = NULL;
    if (imv_srv_profile_of(s, root, "profile", &p, reply))
        return reply->status;
    imv_srv_draws d;
    char *doc_text = NULL;
    cJSON *base = NULL, *doc = NULL, *diff = NULL, *body = NULL;
    int rc = 0;
    const char *origin;
    if ((rc = imv_srv_draws_of(root, 0, &d, reply)))
        goto done;
    if (!(base = imv_srv_profile_get(s, base_key, &origin))) {
        imv_srv_reply_error(reply, 404, NULL, "no assessment %s in the register", base_key + 2);
        rc = 404;
        goto done;
    }
    if (!(doc_text = imv_srv_evaluate_doc(s, p, &d, NULL, reply))) {
        rc = reply->status;
        goto done;
    }
    doc = cJSON_Parse(doc_text);
    const cJSON *res = cJSON_GetArrayItem(get(doc, "results"), 0);
    body = cJSON_CreateObject();
    cJSON_AddBoolToObject(body, "what_if", 1);
    char text[2400];
    const cJSON *rec = get(res, "recommended");
    snprintf(text, sizeof text, "What-if scenario, not an assessment: %s (then %s ranks first)",
             title && *title ? title : "untitled",
             cJSON_IsString(rec) ? rec->valuestring : "no model");
    cJSON_AddStringToObject(body, "text", text);
    if (title)
        cJSON_AddStringToObject(body, "title", title);
    cJSON_AddItemToObject(body, "profile", cJSON_Duplicate(get(root, "profile"), 1));
    diff = cJSON_CreateArray();
    cJSON *dd = imv_srv_diff(base, get(root, "profile"), doc, doc);
    cJSON_AddItemToObject(body, "changed_inputs",
                          cJSON_DetachItemFromObjectCaseSensitive(dd, "changed_inputs"));
    cJSON_Delete(dd);
    cJSON_AddItemToObject(body, "result", cJSON_Duplicate(res, 1));
    imv_register_entry e = {.kind = imv_xstrdup("assumption"),
                            .ref = imv_xstrdup(base_key + 2),
                            .author = author_of(author),
                            .role = imv_xstrdup("adviser"),
                            .body = cJSON_PrintUnformatted(body)};
    rc = append(s, &e, reply);
    imv_register_entry_clear(&e);
done:
    imv_profile_free(p);
    free(doc_text);
    cJSON_Delete(base);
    cJSON_Delete(doc);
    cJSON_Delete(diff);
    cJSON_Delete(body);
    return rc;
}
