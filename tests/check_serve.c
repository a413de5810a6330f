/*
 * check_serve.c - the what-if server's request handler called directly
 * (imv_serve_api, no HTTP: tests/e2e/serve_*.sh do the HTTP side) with
 * hostile bodies, each answered with its status and a JSON error, never a
 * crash; a property over random ratings (200 exactly when the profile is
 * valid, and then the engine's own answer); concurrent requests on fewer
 * workers than threads give the single-threaded answer byte for byte; and
 * the secrets: random, compared in constant time, read from cookies.
 */
#include <cjson/cJSON.h>
#include <pthread.h>

#include "serve.h"
#include "testutil.h"

static imv_registry *reg;
static imv_serve *srv;
static char *doncaster; /* the case as JSON text */

static void setup(void)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_limits l;
    imv_limits_default(&l);
    reg = imv_registry_new(&l);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/cases/doncaster-2013.json", TU_DATASETS);
    doncaster = tu_slurp(path);
    ck_assert_ptr_nonnull(doncaster);
    const char *const files[] = {path};
    imv_serve_opts o = {.profiles = files, .n_profiles = 1, .workers = 2};
    ck_assert_int_eq(imv_serve_new(reg, &o, &srv, &d), 0);
    imv_diags_free(&d);
}

static void teardown(void)
{
    imv_serve_free(srv);
    imv_registry_free(reg);
    free(doncaster);
}

/* POST body to path; the reply's status, its body parsed into *doc. */
static int post(const char *path, const char *body, size_t len, cJSON **doc)
{
    imv_serve_reply r;
    imv_serve_api(srv, "POST", path, body, len, &r);
    ck_assert_ptr_nonnull(r.body);
    ck_assert_uint_eq(strlen(r.body), r.len);
    *doc = cJSON_Parse(r.body);
    ck_assert_msg(cJSON_IsObject(*doc), "%s answered %d with no JSON object: %.200s", path,
                  r.status, r.body);
    int st = r.status;
    imv_serve_reply_clear(&r);
    return st;
}

/* The refusal: its status, and a JSON error saying so with a message. */
static void refused(const char *path, const char *body, size_t len, int want)
{
    cJSON *doc;
    int st = post(path, body, len, &doc);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
    ck_assert_msg(st == want, "%s %.120s: %d, expected %d", path, body, st, want);
    ck_assert_msg(cJSON_IsObject(e), "no error object for %.120s", body);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(e, "status")->valueint, want);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
    ck_assert(cJSON_IsString(m) && strlen(m->valuestring) > 10);
    cJSON_Delete(doc);
}

/* {"profile": doncaster, EXTRA} */
static char *with_profile(const char *extra)
{
    size_t n = strlen(doncaster) + strlen(extra) + 32;
    char *s = malloc(n);
    snprintf(s, n, "{\"profile\": %s%s%s}", doncaster, *extra ? ", " : "", extra);
    return s;
}

static void refused_s(const char *path, const char *body, int want)
{
    refused(path, body, strlen(body), want);
}

static void refused_extra(const char *path, const char *extra, int want)
{
    char *b = with_profile(extra);
    refused_s(path, b, want);
    free(b);
}

START_TEST(serve__hostile_bodies_are_refused_with_their_status)
{
    const char *ev = "/api/evaluate";
    refused(ev, "", 0, 400);
    refused_s(ev, "null", 400);
    refused_s(ev, "[]", 400);
    refused_s(ev, "\"profile\"", 400);
    refused_s(ev, "{", 400);
    refused_s(ev, "{\"profile\": ", 400);
    refused_s(ev, "{}", 400);
    refused_s(ev, "{\"profile\": []}", 400);
    refused_s(ev, "{\"profile\": \"doncaster\"}", 400);
    refused_s(ev, "{\"profile\": null}", 400);
    refused_s(ev, "{\"profile\": {}}", 422);
    refused(ev, "{\"profile\":\0{}}", 15, 400); /* a NUL inside */
    /* nesting far past cJSON's limit: refused, no stack overflow */
    size_t deep = 200000;
    char *b = malloc(2 * deep + 16);
    memcpy(b, "{\"profile\":", 11);
    memset(b + 11, '[', deep);
    memset(b + 11 + deep, ']', deep);
    memcpy(b + 11 + 2 * deep, "}", 2);
    refused_s(ev, b, 400);
    free(b);
    refused_extra(ev, "\"draws\": -1", 400);
    refused_extra(ev, "\"draws\": 1.5", 400);
    refused_extra(ev, "\"draws\": \"100\"", 400);
    refused_extra(ev, "\"draws\": 1e309", 400);
    refused_extra(ev, "\"draws\": 20001", 400);
    refused_extra(ev, "\"seed\": -1", 400);
    refused_extra(ev, "\"seed\": 1e300", 400);
    refused_extra(ev, "\"vary_parameters\": \"yes\"", 400);
    refused_s("/api/diff", "{\"profile\": {}}", 400);
    refused_extra("/api/diff", "", 400);
    refused_extra("/api/diff", "\"base\": 5", 400);
    refused_extra("/api/diff", "\"base_key\": 5", 400);
    refused_extra("/api/diff", "\"base_key\": \"../../etc/passwd\"", 404);
    refused_extra("/api/diff", "\"base\": {\"id\": 1}", 422);
    refused_extra("/api/charts", "\"sections\": \"ranking\"", 400);
    refused_extra("/api/charts", "\"sections\": [1]", 400);
    refused_extra("/api/charts", "\"sections\": [\"ranking\", \"x\"]", 400);
    refused_extra("/api/charts",
                  "\"sections\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]", 400);
    refused_extra("/api/report", "\"base_key\": \"nope\"", 404);
    refused_extra("/api/scenario", "\"base_key\": \"a-x\"", 409); /* no register */
    refused_s("/api/decision", "{\"assessment\": \"x\", \"model\": \"trust\"}", 409);
    refused_s("/api/nothing", "{}", 404);
    refused_s("/api/evaluate/../session", "{}", 404);

    /* an invalid profile names the field */
    char *bad = with_profile("");
    char *at = strstr(bad, "\"acceptance\"");
    ck_assert_ptr_nonnull(at);
    at = strchr(at, ':');
    char *fixed = malloc(strlen(bad) + 8);
    size_t pre = (size_t)(at + 1 - bad);
    memcpy(fixed, bad, pre);
    char *rest = at + 1;
    while (*rest == ' ' || *rest == '{' || (*rest != ',' && *rest != '}'))
        rest++;
    snprintf(fixed + pre, strlen(bad) + 8 - pre, " 7%s", rest);
    cJSON *doc;
    ck_assert_int_eq(post("/api/evaluate", fixed, strlen(fixed), &doc), 422);
    const cJSON *errs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc,
                                                                                          "error"),
                                                         "errors");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errs, 0), "where")->valuestring,
                     "ratings.acceptance");
    cJSON_Delete(doc);
    free(fixed);
    free(bad);

    imv_serve_reply r;
    imv_serve_api(srv, "DELETE", "/api/session", NULL, 0, &r);
    ck_assert_int_eq(r.status, 405);
    imv_serve_reply_clear(&r);
    imv_serve_api(srv, "GET", NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 404);
    imv_serve_reply_clear(&r);
    imv_serve_api(srv, "GET", "/api/evaluate", NULL, 0, &r);
    ck_assert_int_eq(r.status, 405);
    imv_serve_reply_clear(&r);
    char key[5000] = "/api/profiles/";
    memset(key + 14, 'x', sizeof key - 15);
    key[sizeof key - 1] = '\0';
    imv_serve_api(srv, "GET", key, NULL, 0, &r);
    ck_assert_int_eq(r.status, 404);
    imv_serve_reply_clear(&r);
}
END_TEST

/* Random ratings, some outside 0..4 or not numbers: 200 exactly when the
 * profile is valid, and then the engine's own recommendation. */
START_TEST(serve__random_ratings_property)
{
    imv_worker *w = imv_worker_new(reg);
    unsigned seed = 12345;
    for (int it = 0; it < 150; it++) {
        cJSON *p = cJSON_Parse(doncaster);
        cJSON *ra = cJSON_GetObjectItemCaseSensitive(p, "ratings");
        int valid = 1;
        for (int i = 0; i < IMV_R_COUNT; i++) {
            int pick = rand_r(&seed) % 20;
            cJSON *v;
            if (pick == 0) {
                v = cJSON_CreateNumber(4.5 + rand_r(&seed) % 3);
                valid = 0;
            } else if (pick == 1) {
                v = cJSON_CreateString("high");
                valid = 0;
            } else {
                v = cJSON_CreateNumber((double)(rand_r(&seed) % 9) / 2);
            }
            cJSON_DeleteItemFromObjectCaseSensitive(ra, imv_rating_name(i));
            cJSON_AddItemToObject(ra, imv_rating_name(i), v);
        }
        cJSON *req = cJSON_CreateObject();
        cJSON_AddItemReferenceToObject(req, "profile", p);
        char *body = cJSON_PrintUnformatted(req);
        cJSON *doc;
        int st = post("/api/evaluate", body, strlen(body), &doc);
        ck_assert_msg(st == (valid ? 200 : 422), "iteration %d: %d (valid %d)", it, st, valid);
        if (valid) {
            imv_diags d;
            imv_diags_init(&d);
            imv_profile *prof = NULL;
            ck_assert_int_eq(imv_profile_from_json(p, "x", 1, 0, &prof, &d), 0);
            imv_evaluation e;
            imv_evaluate(w, prof, &e);
            const cJSON *rec = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "results"), 0),
                "recommended");
            if (e.recommended)
                ck_assert_str_eq(rec->valuestring, e.recommended);
            else
                ck_assert(cJSON_IsNull(rec));
            imv_evaluation_clear(&e);
            imv_profile_free(prof);
            imv_diags_free(&d);
        }
        cJSON_Delete(doc);
        free(body);
        cJSON_Delete(req);
        cJSON_Delete(p);
    }
    imv_worker_free(w);
}
END_TEST

typedef struct par {
    pthread_t t;
    const char *body;
    const char *want;
    int bad;
} par;

static void *par_run(void *arg)
{
    par *x = arg;
    for (int i = 0; i < 15; i++) {
        imv_serve_reply r;
        imv_serve_api(srv, "POST", "/api/evaluate", x->body, strlen(x->body), &r);
        if (r.status != 200 || strcmp(r.body, x->want) != 0)
            x->bad++;
        imv_serve_reply_clear(&r);
    }
    return NULL;
}

/* Eight threads on two workers: every answer is the single-threaded one. */
START_TEST(serve__concurrent_requests_share_workers_safely)
{
    char *body = with_profile("\"draws\": 300, \"seed\": 5");
    imv_serve_reply r;
    imv_serve_api(srv, "POST", "/api/evaluate", body, strlen(body), &r);
    ck_assert_int_eq(r.status, 200);
    par ps[8];
    for (int i = 0; i < 8; i++) {
        ps[i] = (par){.body = body, .want = r.body};
        pthread_create(&ps[i].t, NULL, par_run, &ps[i]);
    }
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(ps[i].t, NULL);
        bad += ps[i].bad;
    }
    ck_assert_int_eq(bad, 0);
    imv_serve_reply_clear(&r);
    free(body);
}
END_TEST

START_TEST(serve__secrets)
{
    char a[SRV_SECRET_HEX + 1], b[SRV_SECRET_HEX + 1], err[200];
    ck_assert_int_eq(imv_srv_random_hex(a, SRV_SECRET_HEX / 2, err, sizeof err), 0);
    ck_assert_int_eq(imv_srv_random_hex(b, SRV_SECRET_HEX / 2, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(a), 64);
    ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
    ck_assert_str_ne(a, b);
    ck_assert(imv_srv_secret_eq(a, a));
    ck_assert(!imv_srv_secret_eq(b, a));
    char c[SRV_SECRET_HEX + 2];
    memcpy(c, a, sizeof a);
    c[63] = c[63] == '0' ? '1' : '0'; /* the last digit only */
    ck_assert(!imv_srv_secret_eq(c, a));
    c[63] = a[63];
    c[64] = '0';
    c[65] = '\0';
    ck_assert(!imv_srv_secret_eq(c, a)); /* one digit longer */
    ck_assert(!imv_srv_secret_eq("", a));
    ck_assert(!imv_srv_secret_eq(NULL, a));
    char v[80];
    ck_assert(imv_srv_cookie_value("a=1; imeval_session=abc; b=2", SRV_COOKIE, v, sizeof v));
    ck_assert_str_eq(v, "abc");
    ck_assert(imv_srv_cookie_value("imeval_session=xyz", SRV_COOKIE, v, sizeof v));
    ck_assert_str_eq(v, "xyz");
    ck_assert(
        !imv_srv_cookie_value("imeval_sessionx=abc; ximeval_session=abc", SRV_COOKIE, v, sizeof v));
    ck_assert(!imv_srv_cookie_value("", SRV_COOKIE, v, sizeof v));
    char longv[300] = "imeval_session=";
    memset(longv + 15, 'a', 200);
    longv[215] = '\0';
    ck_assert(!imv_srv_cookie_value(longv, SRV_COOKIE, v, sizeof v)); /* too long: not taken */
}
END_TEST

START_TEST(serve__the_page_is_compiled_in)
{
    const imv_srv_asset *a = imv_srv_asset_find("/");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->type, "text/html; charset=utf-8");
    ck_assert(a->len > 100);
    ck_assert_ptr_nonnull(memmem(a->data, a->len, "<noscript>", 10));
    ck_assert_ptr_null(imv_srv_asset_find("/index.html"));
    ck_assert_ptr_null(imv_srv_asset_find("/../serve/page/index.html"));
    ck_assert_ptr_null(imv_srv_asset_find(""));
    ck_assert_ptr_null(imv_srv_asset_find(NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serve");
    TCase *tc = tcase_create("serve");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, serve__hostile_bodies_are_refused_with_their_status);
    tcase_add_test(tc, serve__random_ratings_property);
    tcase_add_test(tc, serve__concurrent_requests_share_workers_safely);
    tcase_add_test(tc, serve__secrets);
    tcase_add_test(tc, serve__the_page_is_compiled_in);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
