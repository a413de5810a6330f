/*
 * api.c - the JSON API of docs/api.md, behind http.c's checks: one
 * function per route, each parsing its request, calling whatif.c or
 * store.c, and answering with a document or an error object
 * {"error": {"status", "message", "errors"}}.  Nothing a request says is
 * used as a path; profile keys are looked up in the server's own lists.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "serve.h"

static const char JSON_TYPE[] = "application/json; charset=utf-8";

void imv_serve_reply_clear(imv_serve_reply *r)
{
    free(r->body);
    free(r->filename);
    memset(r, 0, sizeof *r);
}

void imv_srv_reply_text(imv_serve_reply *r, int status, const char *type, char *body, size_t len)
{
    imv_serve_reply_clear(r);
    r->status = status;
    r->type = type;
    r->body = body;
    r->len = len;
}

void imv_srv_reply_json(imv_serve_reply *r, int status, cJSON *doc)
{
    char *s = doc ? imv_json_print(doc, 0) : NULL;
    cJSON_Delete(doc);
    if (!s) {
        imv_srv_reply_text(r, 500, JSON_TYPE,
                           imv_xstrdup("{\"error\":{\"status\":500,\"message\":\"out of memory\"}}"),
                           0);
        r->len = strlen(r->body);
        return;
    }
    size_t n = strlen(s);
    s = imv_xrealloc(s, n + 2);
    s[n] = '\n';
    s[n + 1] = '\0';
    imv_srv_reply_text(r, status, JSON_TYPE, s, n + 1);
}

void imv_srv_reply_error(imv_serve_reply *r, int status, const imv_diags *d, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *doc = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(doc, "error");
    cJSON_AddNumberToObject(e, "status", status);
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddItemToObject(e, "errors", d ? imv_diags_json(d, 0) : cJSON_CreateArray());
    imv_srv_reply_json(r, status, doc);
}

/* A result document as the reply, as written (no re-printing). */
static void reply_doc(imv_serve_reply *r, char *doc)
{
    imv_srv_reply_text(r, 200, JSON_TYPE, doc, strlen(doc));
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* ---- GET ------------------------------------------------------------------ */

static void get_session(imv_serve *s, imv_serve_reply *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "imeval-serve/1");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "engine"), "version", IMV_VERSION);
    cJSON_AddItemToObject(o, "models", cJSON_Parse(s->models_json));
    cJSON *ra = cJSON_AddArrayToObject(o, "ratings"), *fa = cJSON_AddArrayToObject(o, "facts");
    for (int i = 0; i < IMV_R_COUNT; i++)
        cJSON_AddItemToArray(ra, cJSON_CreateString(imv_rating_name(i)));
    for (int i = 0; i < IMV_F_COUNT; i++)
        cJSON_AddItemToArray(fa, cJSON_CreateString(imv_fact_name(i)));
    cJSON *ga = cJSON_AddArrayToObject(o, "grades");
    static const char *const grades[] = {"outstanding", "good", "requires_improvement", "inadequate"};
    for (size_t i = 0; i < 4; i++)
        cJSON_AddItemToArray(ga, cJSON_CreateString(grades[i]));
    cJSON_AddBoolToObject(o, "register", s->regs != NULL);
    cJSON_AddNumberToObject(o, "max_draws", SRV_MAX_DRAWS);
    cJSON_AddNumberToObject(o, "default_draws", SRV_DEFAULT_DRAWS);
    cJSON_AddNumberToObject(o, "default_seed", 1);
    imv_srv_reply_json(r, 200, o);
}

static void get_template(imv_serve_reply *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *p = cJSON_AddObjectToObject(o, "profile");
    char month[16] = "2026-01";
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(month, sizeof month, "%Y-%m", &tm);
    cJSON_AddStringToObject(p, "format", IMV_PROFILE_FORMAT);
    cJSON_AddStringToObject(p, "id", "what-if");
    cJSON_AddStringToObject(p, "name", "A what-if authority");
    cJSON_AddStringToObject(p, "as_of", month);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "ofsted"), "grade", "inadequate");
    cJSON *ra = cJSON_AddObjectToObject(p, "ratings");
    for (int i = 0; i < IMV_R_COUNT; i++)
        cJSON_AddNumberToObject(ra, imv_rating_name(i), 2);
    imv_srv_reply_json(r, 200, o);
}

static void get_profile(imv_serve *s, const char *key, imv_serve_reply *r)
{
    const char *origin = "file";
    cJSON *p = imv_srv_profile_get(s, key, &origin);
    if (!p) {
        imv_srv_reply_error(r, 404, NULL, "no profile %.100s: GET /api/profiles lists them", key);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", key);
    cJSON_AddStringToObject(o, "origin", origin);
    cJSON_AddItemToObject(o, "profile", p);
    imv_srv_reply_json(r, 200, o);
}

/* ---- POST ----------------------------------------------------------------- */

static void post_evaluate(imv_serve *s, const cJSON *root, imv_serve_reply *r)
{
    imv_profile *p = NULL;
    imv_srv_draws d;
    if (imv_srv_draws_of(root, 0, &d, r) || imv_srv_profile_of(s, root, "profile", &p, r))
        return;
    char *doc = imv_srv_evaluate_doc(s, p, &d, NULL, r);
    if (doc)
        reply_doc(r, doc);
    imv_profile_free(p);
}

static void post_sensitivity(imv_serve *s, const cJSON *root, imv_serve_reply *r)
{
    imv_profile *p = NULL;
    if (imv_srv_profile_of(s, root, "profile", &p, r))
        return;
    char *doc = imv_srv_sensitivity_doc(s, p, r);
    if (doc)
        reply_doc(r, doc);
    imv_profile_free(p);
}

/* The base of a diff or report: "base" (a profile) or "base_key"; NULL
 * (and no reply) when neither is given, NULL with a reply when bad. */
static cJSON *base_of(imv_serve *s, const cJSON *root, imv_serve_reply *r)
{
    const cJSON *b = get(root, "base"), *k = get(root, "base_key");
    const char *origin;
    if (b && !cJSON_IsNull(b)) {
        if (!cJSON_IsObject(b)) {
            imv_srv_reply_error(r, 400, NULL, "\"base\": expected a profile (a JSON object)");
            return NULL;
        }
        return cJSON_Duplicate(b, 1);
    }
    if (k && !cJSON_IsNull(k)) {
        cJSON *p = cJSON_IsString(k) ? imv_srv_profile_get(s, k->valuestring, &origin) : NULL;
        if (!p)
            imv_srv_reply_error(r, cJSON_IsString(k) ? 404 : 400, NULL,
                                "\"base_key\": no profile %.100s "
                                "(GET /api/profiles lists them)",
                                cJSON_IsString(k) ? k->valuestring : "");
        return p;
    }
    return NULL;
}

/* Evaluate the profile of root at key (into *doc, parsed too). */
static int eval_at(imv_serve *s, const cJSON *root, const char *key, const imv_srv_draws *d,
                   imv_profile **p, char **text, cJSON **doc, cJSON **sens, imv_serve_reply *r)
{
    if (imv_srv_profile_of(s, root, key, p, r))
        return -1;
    if (!(*text = imv_srv_evaluate_doc(s, *p, d, sens, r)))
        return -1;
    if (!(*doc = cJSON_Parse(*text))) {
        imv_srv_reply_error(r, 500, NULL, "internal error: the result document does not parse");
        return -1;
    }
    return 0;
}

static void post_diff(imv_serve *s, const cJSON *root, imv_serve_reply *r)
{
    imv_profile *p = NULL, *bp = NULL;
    char *t1 = NULL, *t2 = NULL;
    cJSON *d1 = NULL, *d2 = NULL, *base = base_of(s, root, r), *wrap = NULL;
    imv_srv_draws d = {0};
    if (!base) {
        if (!r->status)
            imv_srv_reply_error(r, 400, NULL,
                                "a difference needs \"base\" (the profile as assessed) or "
                                "\"base_key\"");
        goto done;
    }
    wrap = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(wrap, "profile", base);
    if (eval_at(s, root, "profile", &d, &p, &t1, &d1, NULL, r) ||
        eval_at(s, wrap, "profile", &d, &bp, &t2, &d2, NULL, r))
        goto done;
    cJSON *o = imv_srv_diff(base, get(root, "profile"), d2, d1);
    cJSON_AddItemToObject(o, "base", cJSON_Duplicate(d2, 1));
    cJSON_AddItemToObject(o, "scenario", cJSON_Duplicate(d1, 1));
    imv_srv_reply_json(r, 200, o);
done:
    imv_profile_free(p);
    imv_profile_free(bp);
    free(t1);
    free(t2);
    cJSON_Delete(d1);
    cJSON_Delete(d2);
    cJSON_Delete(wrap);
    cJSON_Delete(base);
}

static void post_charts(imv_serve *s, const cJSON *root, imv_serve_reply *r)
{
    imv_profile *p = NULL;
    char *text = NULL;
    cJSON *doc = NULL, *sens = NULL;
    imv_srv_draws d;
    const cJSON *names = get(root, "sections");
    if (names && !cJSON_IsNull(names) && !cJSON_IsArray(names)) {
        imv_srv_reply_error(r, 400, NULL, "\"sections\": a list of section names");
        return;
    }
    if (cJSON_IsNull(names))
        names = NULL;
    /* Only the summary and the tipping points read the sensitivity
     * analysis, the slowest part: run it only for them. */
    int need_sens = !names;
    const cJSON *nm;
    cJSON_ArrayForEach(nm, names)
        need_sens |= cJSON_IsString(nm) && (strcmp(nm->valuestring, "summary") == 0 ||
                                            strcmp(nm->valuestring, "change") == 0);
    if (imv_srv_draws_of(root, 0, &d, r) ||
        eval_at(s, root, "profile", &d, &p, &text, &doc, need_sens ? &sens : NULL, r))
        goto done;
    cJSON *secs = imv_srv_sections(s, p, doc, text, sens, names, r);
    if (!secs)
        goto done;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "imeval-charts/1");
    cJSON_AddItemToObject(o, "sections", secs);
    cJSON_AddItemToObject(o, "result", cJSON_Duplicate(doc, 1));
    imv_srv_reply_json(r, 200, o);
done:
    imv_profile_free(p);
    free(text);
    cJSON_Delete(doc);
    cJSON_Delete(sens);
}

static void post_report(imv_serve *s, const cJSON *root, imv_serve_reply *r)
{
    imv_profile *p = NULL;
    char *text = NULL;
    cJSON *doc = NULL, *sens = NULL, *base = base_of(s, root, r), *what_if = NULL;
    imv_srv_draws d;
    if (r->status || imv_srv_draws_of(root, SRV_DEFAULT_DRAWS, &d, r) ||
        eval_at(s, root, "profile", &d, &p, &text, &doc, &sens, r))
        goto done;
    if (base) {
        cJSON *dd = imv_srv_diff(base, get(root, "profile"), doc, doc);
        what_if = cJSON_CreateObject();
        const cJSON *bid = get(base, "id");
        if (cJSON_IsString(bid))
            cJSON_AddStringToObject(what_if, "base", bid->valuestring);
        cJSON_AddItemToObject(what_if, "changed",
                              cJSON_DetachItemFromObjectCaseSensitive(dd, "changed_inputs"));
        cJSON_Delete(dd);
    }
    size_t len = 0;
    char *html = imv_srv_report_html(s, p, doc, text, sens, what_if, &len);
    if (!html) {
        imv_srv_reply_error(r, 500, NULL, "the report could not be written");
        goto done;
    }
    imv_srv_reply_text(r, 200, "text/html; charset=utf-8", html, len);
    char name[200];
    /* the id is checked by the profile reader: letters, digits, - _ . only */
    snprintf(name, sizeof name, "%s%s.html", p->id, base ? "-what-if" : "");
    r->filename = imv_xstrdup(name);
done:
    imv_profile_free(p);
    free(text);
    cJSON_Delete(doc);
    cJSON_Delete(sens);
    cJSON_Delete(base);
    cJSON_Delete(what_if);
}

/* ---- routing ------------------------------------------------------------------ */

static void post(imv_serve *s, const char *path, const char *body, size_t len, imv_serve_reply *r)
{
    static const struct {
        const char *path;
        void (*fn)(imv_serve *, const cJSON *, imv_serve_reply *);
    } routes[] = {{"/api/evaluate", post_evaluate},
                  {"/api/sensitivity", post_sensitivity},
                  {"/api/diff", post_diff},
                  {"/api/charts", post_charts},
                  {"/api/report", post_report}};
    int scenario = strcmp(path, "/api/scenario") == 0, decision = strcmp(path, "/api/decision") == 0;
    size_t i = 0;
    while (i < sizeof routes / sizeof routes[0] && strcmp(path, routes[i].path) != 0)
        i++;
    if (i == sizeof routes / sizeof routes[0] && !scenario && !decision) {
        imv_srv_reply_error(r, 404, NULL, "no such API endpoint (docs/api.md lists them)");
        return;
    }
    /* cJSON skips a NUL as if it were a space; JSON never holds one raw. */
    if (memchr(body, '\0', len)) {
        imv_srv_reply_error(r, 400, NULL, "the body holds a NUL byte: it is not JSON text");
        return;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!cJSON_IsObject(root)) {
        long at = root || !end ? -1 : (long)(end - body);
        if (at >= 0)
            imv_srv_reply_error(r, 400, NULL,
                                "the body is not a JSON object (a syntax error at byte %ld)", at);
        else
            imv_srv_reply_error(r, 400, NULL, "the body is not a JSON object");
        cJSON_Delete(root);
        return;
    }
    if (scenario)
        imv_srv_save_scenario(s, root, r);
    else if (decision)
        imv_srv_record_decision(s, root, r);
    else
        routes[i].fn(s, root, r);
    cJSON_Delete(root);
}

void imv_serve_api(imv_serve *s, const char *method, const char *path, const char *body, size_t len,
                   imv_serve_reply *out)
{
    memset(out, 0, sizeof *out);
    if (!path)
        path = "";
    if (method && strcmp(method, "POST") == 0) {
        post(s, path, body ? body : "", body ? len : 0, out);
    } else if (method && strcmp(method, "GET") == 0) {
        if (strcmp(path, "/api/session") == 0)
            get_session(s, out);
        else if (strcmp(path, "/api/profiles") == 0) {
            cJSON *l = imv_srv_profiles_list(s, out);
            if (l)
                imv_srv_reply_json(out, 200, l);
        } else if (strncmp(path, "/api/profiles/", 14) == 0)
            get_profile(s, path + 14, out);
        else if (strcmp(path, "/api/template") == 0)
            get_template(out);
        else if (strcmp(path, "/api/evaluate") == 0 || strcmp(path, "/api/sensitivity") == 0 ||
                 strcmp(path, "/api/diff") == 0 || strcmp(path, "/api/charts") == 0 ||
                 strcmp(path, "/api/report") == 0 || strcmp(path, "/api/scenario") == 0 ||
                 strcmp(path, "/api/decision") == 0)
            imv_srv_reply_error(out, 405, NULL, "%s takes POST with a JSON body", path);
        else
            imv_srv_reply_error(out, 404, NULL, "no such API endpoint (docs/api.md lists them)");
    } else {
        imv_srv_reply_error(out, 405, NULL, "only GET and POST");
    }
    if (!out->status)
        imv_srv_reply_error(out, 500, NULL, "internal error: no answer");
}
