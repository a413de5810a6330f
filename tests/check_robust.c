/*
 * check_robust.c - what a plugin hands back is checked and never trusted;
 * plugin files others can write are refused; the reader keeps going after
 * a bad profile and stops after a read error; messages are one line.
 *
 * The fixtures tests/plugins/robust_bad.c and robust_bad.lua return one
 * kind of bad output each, chosen by their `mode` parameter.  Each bad
 * output must become that model's error (no score, not viable, ranked
 * last), the bundled models scored beside it must be unaffected, and the
 * JSON written for the evaluation must parse and be valid UTF-8.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>

#include "internal.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

static imv_profile *profile_from_text(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    ck_assert_ptr_nonnull(j);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "test", 1, 0, &p, &d), 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    return p;
}

static imv_profile *test_profile(void)
{
    char *json = tu_profile_json("robust-1", "inadequate", 2);
    imv_profile *p = profile_from_text(json);
    free(json);
    return p;
}

/* The bundled models plus one fixture; isolate: 0 in-process, 1 child. */
static imv_registry *registry_with(const char *fixture_path, int isolate)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = isolate;
    l.lua_instructions = 5 * 1000 * 1000;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    int rc = imv_registry_load_file(reg, fixture_path, 0, &d);
    ck_assert_msg(rc == 0, "cannot load %s: %s", fixture_path, d.n ? d.v[0].message : "?");
    imv_diags_free(&d);
    return reg;
}

static void set_mode(imv_registry *reg, const char *model, int mode)
{
    char a[128];
    imv_diags d;
    imv_diags_init(&d);
    snprintf(a, sizeof a, "%s.mode=%d", model, mode);
    ck_assert_int_eq(imv_registry_set(reg, a, &d), 0);
    imv_diags_free(&d);
}

/* The evaluation as RESULT-FORMAT JSON: it must parse and be UTF-8. */
static void check_json_output(imv_registry *reg, const imv_evaluation *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    imv_output *o = imv_output_new(f, IMV_FMT_JSON, 1, reg, NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_output_begin(o), 0);
    ck_assert_int_eq(imv_output_evaluation(o, e), 0);
    ck_assert_int_eq(imv_output_end(o, &d), 0);
    fclose(f);
    ck_assert_msg(imv_utf8_valid(buf, len), "JSON output is not valid UTF-8");
    cJSON *j = cJSON_ParseWithLength(buf, len);
    ck_assert_msg(j != NULL, "JSON output does not parse");
    cJSON_Delete(j);
    imv_diags_free(&d);
    free(buf);
}

/* Evaluate with the fixture in `mode`; its result must be an error that
 * contains `expect` (or a good score when expect is NULL). */
static void check_mode(imv_registry *reg, const char *model, int mode, const char *expect)
{
    set_mode(reg, model, mode);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = test_profile();
    imv_evaluation e;
    imv_evaluate(w, p, &e);
    int seen = 0;
    for (size_t i = 0; i < e.n; i++) {
        const imv_result *r = &e.results[i];
        if (strcmp(imv_model_id(r->model), model) != 0) {
            ck_assert_msg(r->error == NULL && r->has_score, "mode %d of %s disturbed %s: %s", mode,
                          model, imv_model_id(r->model), r->error ? r->error : "no score");
            continue;
        }
        seen = 1;
        if (!expect) {
            ck_assert_msg(r->error == NULL, "mode %d: unexpected error %s", mode, r->error);
            ck_assert(r->has_score);
            continue;
        }
        ck_assert_msg(r->error != NULL, "%s mode %d: bad output was trusted", model, mode);
        ck_assert_msg(strstr(r->error, expect) != NULL, "%s mode %d: error \"%s\" lacks \"%s\"",
                      model, mode, r->error, expect);
        ck_assert_msg(strchr(r->error, '\n') == NULL, "error is not one line: %s", r->error);
        ck_assert(imv_utf8_valid(r->error, strlen(r->error)));
        ck_assert_int_eq(r->has_score, 0);
        ck_assert_int_eq(r->viable, 0);
        /* Failed models rank last. */
        ck_assert_ptr_eq(&e.results[e.order[e.n - 1]], r);
    }
    ck_assert_msg(seen, "fixture %s not evaluated", model);
    check_json_output(reg, &e);
    tu_check_brief_matches(w, p, &e);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
}

typedef struct mode_case {
    int mode;
    const char *expect;
} mode_case;

static const mode_case native_cases[] = {
    {0, NULL},
    {1, "score of NaN"},
    {2, "score of 150, outside 0..100"},
    {3, "score of -0.5, outside 0..100"},
    {4, "score of infinity"},
    {5, "reason text that is not valid UTF-8"},
    {6, "reason text longer than 2000 bytes"},
    {7, "more than 200 reasons"},
    {8, "gave no score"},
    {9, "reason with NaN points"},
    {10, "timeline with setup_months nan"},
    {11, "timeline with months_to_fair -20"},
    {12, "timeline with months_to_good 1e+09"},
    {13, "gave no reason text"},
    {14, "more than 262144 bytes of text"},
    {15, "set_error message that is not valid UTF-8"},
    {16, "partner fit outside 0..100"},
    {17, "error code 3"},
    {18, "precondition that is not valid UTF-8"},
    {19, "reason with infinite points"},
    {20, "partner fit outside 0..100 (101)"},
    {21, "reason field list that is not valid UTF-8"},
};

static const mode_case lua_cases[] = {
    {0, NULL},
    {1, "score of NaN"},
    {2, "score of 150, outside 0..100"},
    {3, "score of -1, outside 0..100"},
    {4, "score of infinity"},
    {5, "reason text that is not valid UTF-8"},
    {6, "reason text longer than 2000 bytes"},
    {7, "more than 200 reasons"},
    {8, "score must be a number, it is nil"},
    {9, "reason with NaN points"},
    {10, "timeline with setup_months"},
    {11, "timeline with months_to_fair -20"},
    {12, "score must be a number, it is string"},
    {13, "reasons must be an array of tables"},
    {14, "reasons[1].fields[1] must be a string"},
    {15, "must return a table (or a number), it returned nil"},
    {16, "must return a table (or a number), it returned string"},
    {17, "model gave up on purpose"},
    {18, "set_error message that is not valid UTF-8"},
    {19, "risks[2] must be a string"},
    {20, "partner fit outside 0..100"},
    {22, "gave no reason text"},
};

static char *fixture_so(void)
{
    char *p = malloc(512);
    snprintf(p, 512, "%s/robust_bad.so", TU_FIXTURES);
    return p;
}

static char *fixture_lua(void)
{
    char *p = malloc(512);
    snprintf(p, 512, "%s/robust_bad.lua", TU_FIXTURE_SRC);
    return p;
}

/* ---- plugin output ----------------------------------------------------------- */

START_TEST(native__bad_output_is_the_models_error)
{
    char *path = fixture_so();
    imv_registry *reg = registry_with(path, 0);
    for (size_t i = 0; i < sizeof native_cases / sizeof native_cases[0]; i++)
        check_mode(reg, "robust_bad", native_cases[i].mode, native_cases[i].expect);
    imv_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(native__bad_output_is_the_models_error_when_isolated)
{
    char *path = fixture_so();
    imv_registry *reg = registry_with(path, 1);
    ck_assert(imv_model_isolated(imv_registry_find(reg, "robust_bad")));
    for (size_t i = 0; i < sizeof native_cases / sizeof native_cases[0]; i++)
        check_mode(reg, "robust_bad", native_cases[i].mode, native_cases[i].expect);
    imv_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(lua__bad_result_is_the_models_error)
{
    char *path = fixture_lua();
    imv_registry *reg = registry_with(path, 0);
    for (size_t i = 0; i < sizeof lua_cases / sizeof lua_cases[0]; i++)
        check_mode(reg, "robust_bad_lua", lua_cases[i].mode, lua_cases[i].expect);
    imv_registry_free(reg);
    free(path);
}
END_TEST

/* Regression: strings made by an __index metamethod were popped before the
 * host copied them; the collector could free them first (ASan: heap use
 * after free).  The copy must be exactly what the metamethod returned. */
START_TEST(lua__metamethod_strings_outlive_the_copy)
{
    char *path = fixture_lua();
    imv_registry *reg = registry_with(path, 0);
    set_mode(reg, "robust_bad_lua", 21);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = test_profile();
    imv_evaluation e;
    imv_evaluate(w, p, &e);
    const imv_result *r = NULL;
    for (size_t i = 0; i < e.n; i++)
        if (strcmp(imv_model_id(e.results[i].model), "robust_bad_lua") == 0)
            r = &e.results[i];
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(r->error == NULL, "%s", r->error);
    ck_assert_uint_eq(r->n_reasons, 1);
    char want[256];
    memset(want, 't', 200);
    strcpy(want + 200, "text");
    ck_assert_str_eq(r->reasons[0].text, want);
    ck_assert_str_eq(r->reasons[0].evidence, "evidence made late");
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    free(path);
}
END_TEST

/* imv_evaluate_brief tells the plugins (IMV_VIEW_BRIEF), in process and
 * across the isolation boundary: ck_brief leaves its timeline out then. */
static void check_brief_flag(int isolate)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ck_brief.so", TU_FIXTURES);
    imv_registry *reg = registry_with(path, isolate);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = test_profile();
    imv_evaluation full, brief;
    imv_evaluate(w, p, &full);
    imv_evaluate_brief(w, p, &brief);
    size_t i = 0;
    while (i < full.n && strcmp(imv_model_id(full.results[i].model), "ck_brief") != 0)
        i++;
    ck_assert_uint_lt(i, full.n);
    ck_assert_msg(full.results[i].error == NULL && brief.results[i].error == NULL, "ck_brief failed");
    ck_assert_double_eq(full.results[i].setup_months, 2);
    ck_assert_double_eq(brief.results[i].setup_months, IMV_UNKNOWN);
    ck_assert_double_eq(brief.results[i].score, full.results[i].score);
    imv_evaluation_clear(&full);
    imv_evaluation_clear(&brief);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}

START_TEST(brief__flag_reaches_native_plugins)
{
    check_brief_flag(0);
    check_brief_flag(1);
}
END_TEST

/* Score-only calls (uncertainty draws) are checked as well. */
START_TEST(score_only__bad_score_is_refused)
{
    for (int lang = 0; lang < 2; lang++) {
        char *path = lang ? fixture_lua() : fixture_so();
        const char *id = lang ? "robust_bad_lua" : "robust_bad";
        imv_registry *reg = registry_with(path, 0);
        set_mode(reg, id, 1);
        imv_worker *w = imv_worker_new(reg);
        imv_profile *p = test_profile();
        imv_profile_view v;
        imv_partner_view pv[1];
        imv_profile_view_init(p, &v, pv);
        v.flags |= IMV_VIEW_SCORE_ONLY;
        size_t i;
        for (i = 0; i < imv_registry_count(reg); i++)
            if (strcmp(imv_model_id(imv_registry_get(reg, i)), id) == 0)
                break;
        imv_model *m = imv_registry_get(reg, i);
        imv_result r;
        memset(&r, 0, sizeof r);
        imv_result_reset(&r, m, 1);
        imv_worker_score(w, i, &v, p->serial, imv_model_param_values(m), &r);
        ck_assert_ptr_nonnull(r.error);
        ck_assert_ptr_nonnull(strstr(r.error, "NaN"));
        ck_assert_int_eq(r.has_score, 0);
        imv_result_clear(&r);
        imv_profile_free(p);
        imv_worker_free(w);
        imv_registry_free(reg);
        free(path);
    }
}
END_TEST

/* ---- permissions ------------------------------------------------------------ */

static imv_registry *registry_with_nothing(void)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 0;
    return imv_registry_new(&l);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_int_eq(chmod(to, mode), 0);
}

/* Load `file` copied into a fresh directory with the given modes; return
 * the load status and the first message (caller frees). */
static int load_with_modes(const char *file, const char *name, mode_t dir_mode, mode_t file_mode,
                           char **msg)
{
    unsetenv("IMEVAL_TRUST_PLUGIN_DIRS"); /* tests/run.sh may set it */
    char dir[] = "/tmp/imv-perm-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    copy_file(file, path, file_mode);
    ck_assert_int_eq(chmod(dir, dir_mode), 0);
    imv_registry *reg = registry_with_nothing();
    imv_diags d;
    imv_diags_init(&d);
    int rc = imv_registry_load_file(reg, path, 0, &d);
    *msg = d.n ? strdup(d.v[0].message) : NULL;
    imv_diags_free(&d);
    imv_registry_free(reg);
    unlink(path);
    rmdir(dir);
    return rc;
}

START_TEST(permissions__others_cannot_write_plugins)
{
    char *so = fixture_so(), *lua = fixture_lua(), *msg;
    const char *files[2] = {so, lua}, *names[2] = {"robust_bad.so", "robust_bad.lua"};
    for (int k = 0; k < 2; k++) {
        /* Private file in a private directory: loaded. */
        ck_assert_int_eq(load_with_modes(files[k], names[k], 0755, 0644, &msg), 0);
        free(msg);
        /* Group- or world-writable file: refused, with the mode and the fix. */
        ck_assert_int_eq(load_with_modes(files[k], names[k], 0755, 0664, &msg), IMV_EPLUGIN);
        ck_assert_ptr_nonnull(strstr(msg, "writable by other users (mode 664)"));
        ck_assert_ptr_nonnull(strstr(msg, "chmod go-w"));
        free(msg);
        ck_assert_int_eq(load_with_modes(files[k], names[k], 0755, 0646, &msg), IMV_EPLUGIN);
        free(msg);
        /* A directory others can write (and could swap the file in): refused. */
        ck_assert_int_eq(load_with_modes(files[k], names[k], 0777, 0644, &msg), IMV_EPLUGIN);
        ck_assert_ptr_nonnull(strstr(msg, "directory"));
        ck_assert_ptr_nonnull(strstr(msg, "mode 777"));
        free(msg);
        ck_assert_int_eq(load_with_modes(files[k], names[k], 0775, 0644, &msg), IMV_EPLUGIN);
        free(msg);
        /* ... unless it is sticky, like /tmp: only the owner can replace it. */
        ck_assert_int_eq(load_with_modes(files[k], names[k], 01777, 0644, &msg), 0);
        free(msg);
    }
    free(so);
    free(lua);
}
END_TEST

START_TEST(permissions__directory_scan_refuses_the_unsafe_and_keeps_the_rest)
{
    char dir[] = "/tmp/imv-perm-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char a[512], b[512];
    char *lua = fixture_lua();
    snprintf(a, sizeof a, "%s/a_bad.lua", dir);
    snprintf(b, sizeof b, "%s/b_ok.lua", dir);
    copy_file(lua, a, 0666);
    /* Another model id for the second copy. */
    char *src = tu_slurp(lua);
    char *at = strstr(src, "\"robust_bad_lua\"");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\"robust_ok_lua\" ", 16);
    FILE *f = fopen(b, "w");
    fputs(src, f);
    fclose(f);
    chmod(b, 0644);
    imv_registry *reg = registry_with_nothing();
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_ne(imv_registry_load_dir(reg, dir, 0, &d), 0);
    ck_assert_uint_eq(imv_registry_count(reg), 1);
    ck_assert_str_eq(imv_model_id(imv_registry_get(reg, 0)), "robust_ok_lua");
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_str_eq(d.v[0].source, a);
    imv_diags_free(&d);
    imv_registry_free(reg);
    unlink(a);
    unlink(b);
    rmdir(dir);
    free(src);
    free(lua);
}
END_TEST

/* ---- the reader ----------------------------------------------------------------- */

/* Regression: run.c stopped reading a file at its first bad profile,
 * because a bad profile (-1) and IMV_EIO (-1) look alike. */
START_TEST(run__bad_profile_does_not_end_the_file)
{
    const char *suffix[2] = {".jsonl", ".csv"};
    for (int k = 0; k < 2; k++) {
        char *text;
        if (k == 0) {
            char *a = tu_profile_json("run-a", "inadequate", 2);
            char *b = tu_profile_json("run-b", "inadequate", 9); /* out of range */
            char *c = tu_profile_json("run-c", "inadequate", 3);
            size_t n = strlen(a) + strlen(b) + strlen(c) + 8;
            text = malloc(n);
            snprintf(text, n, "%s\n%s\n%s\n", a, b, c);
            free(a);
            free(b);
            free(c);
        } else {
            text = strdup(
                "id,name,as_of,ofsted.grade,ratings.senior_leadership,ratings.middle_leadership,"
                "ratings.leadership_stability,ratings.political_commitment,"
                "ratings.corporate_leadership,ratings.acceptance,ratings.governance,"
                "ratings.partnerships,ratings.self_assessment,ratings.workforce_stability,"
                "ratings.financial_resilience,ratings.failure_extent,ratings.initial_response\n"
                "run-a,A,2020,inadequate,1,1,1,1,1,1,1,1,1,1,1,1,1\n"
                "run-b,B,2020\n"
                "run-c,C,2020,inadequate,1..3,1..2..3,1,1,1,1,1,1,1,1,1,1,1\n");
        }
        char *path = tu_write_temp_str(text, suffix[k]);
        imv_registry *reg = registry_with_nothing();
        imv_run_opts o = {.jobs = 1, .no_evaluate = 1};
        imv_run_stats st;
        imv_diags d;
        imv_diags_init(&d);
        char *paths[1] = {path};
        imv_run(reg, paths, 1, &o, NULL, NULL, NULL, &d, &st);
        ck_assert_msg(st.profiles_read == 2 && st.profiles_bad == 1, "%s: read %zu, bad %zu",
                      suffix[k], st.profiles_read, st.profiles_bad);
        imv_diags_free(&d);
        imv_registry_free(reg);
        unlink(path);
        free(path);
        free(text);
    }
}
END_TEST

/* Regression: "1..3" was refused because strtod read "1." of it. */
START_TEST(csv__rating_ranges_parse)
{
    const char *text = "id,name,as_of,ofsted.grade,ratings.senior_leadership,ratings.middle_leadership,"
                       "ratings.leadership_stability,ratings.political_commitment,"
                       "ratings.corporate_leadership,ratings.acceptance,ratings.governance,"
                       "ratings.partnerships,ratings.self_assessment,ratings.workforce_stability,"
                       "ratings.financial_resilience,ratings.failure_extent,ratings.initial_response\n"
                       "r-1,R,2020,inadequate,1..3,1..2..3,0.5..1.5,1,1,1,1,1,1,1,1,1,1\n"
                       "r-2,R,2020,inadequate,1..x,1,1,1,1,1,1,1,1,1,1,1,1\n";
    char *path = tu_write_temp_str(text, ".csv");
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *r = imv_reader_open(path, NULL, &d);
    ck_assert_ptr_nonnull(r);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 1);
    ck_assert_int_eq(p->ratings[IMV_R_SENIOR_LEADERSHIP].kind, 1);
    ck_assert_double_eq(p->ratings[IMV_R_SENIOR_LEADERSHIP].low, 1);
    ck_assert_double_eq(p->ratings[IMV_R_SENIOR_LEADERSHIP].high, 3);
    ck_assert_int_eq(p->ratings[IMV_R_MIDDLE_LEADERSHIP].kind, 2);
    ck_assert_double_eq(p->ratings[IMV_R_MIDDLE_LEADERSHIP].mode, 2);
    ck_assert_double_eq(p->ratings[IMV_R_LEADERSHIP_STABILITY].low, 0.5);
    ck_assert_double_eq(p->ratings[IMV_R_LEADERSHIP_STABILITY].high, 1.5);
    imv_profile_free(p);
    /* A range of something else is not a range. */
    ck_assert_int_eq(imv_reader_next(r, &p, &d), -1);
    ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].message, "\"1..x\" is not a number"));
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 0);
    imv_reader_close(r);
    imv_diags_free(&d);
    unlink(path);
    free(path);
}
END_TEST

/* A read error is reported once with the file, then the reader ends:
 * /proc/self/mem opens but every read at offset 0 fails with EIO. */
START_TEST(reader__read_error_is_reported_once_then_ends)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts o = {.format = 1};
    imv_reader *r = imv_reader_open("/proc/self/mem", &o, &d);
    ck_assert_ptr_nonnull(r);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_reader_next(r, &p, &d), IMV_EIO);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "read error"));
    ck_assert_str_eq(d.v[0].source, "/proc/self/mem");
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 0);
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 0);
    ck_assert_uint_eq(d.n, 1);
    imv_reader_close(r);
    imv_diags_free(&d);
}
END_TEST

/* Garbage is not an empty CSV: it must not pass as "0 invalid". */
START_TEST(reader__garbage_is_not_a_profile_file)
{
    const char *inputs[] = {"garbage\n", "\"a JSON string\"", "42\n", "hello,world\n1,2\n"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *path = tu_write_temp_str(inputs[i], ".txt");
        imv_diags d;
        imv_diags_init(&d);
        imv_reader *r = imv_reader_open(path, NULL, &d);
        ck_assert_ptr_nonnull(r);
        imv_profile *p = NULL;
        ck_assert_int_eq(imv_reader_next(r, &p, &d), -1);
        ck_assert_uint_eq(d.n_errors, 1);
        ck_assert_ptr_nonnull(strstr(d.v[0].message, "not a profile file"));
        ck_assert_int_eq(imv_reader_next(r, &p, &d), 0);
        imv_reader_close(r);
        imv_diags_free(&d);
        unlink(path);
        free(path);
    }
}
END_TEST

/* Messages quote input; they must stay one line of UTF-8. */
START_TEST(diags__quoted_input_stays_one_line)
{
    char *json = tu_profile_json("nl-1", "bad\\ngrade", 2);
    /* Also a key with a newline and an escaped invalid byte sequence. */
    size_t n = strlen(json) + 64;
    char *more = malloc(n);
    snprintf(more, n, "{\"odd\\nkey\\u0001\":1,%s", json + 1);
    cJSON *j = cJSON_Parse(more);
    ck_assert_ptr_nonnull(j);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_ne(imv_profile_from_json(j, "nl.json", 1, 0, &p, &d), 0);
    ck_assert_uint_ge(d.n, 2);
    for (size_t i = 0; i < d.n; i++) {
        char line[1200];
        imv_diag_format(&d.v[i], line, sizeof line);
        ck_assert_msg(strchr(line, '\n') == NULL && strchr(line, '\x01') == NULL,
                      "not one line: %s", line);
        ck_assert(imv_utf8_valid(line, strlen(line)));
    }
    int found = 0;
    for (size_t i = 0; i < d.n; i++)
        found |= strstr(d.v[i].message, "\"bad\\ngrade\" is not a grade") != NULL;
    ck_assert_msg(found, "grade message not found or not escaped");
    cJSON_Delete(j);
    imv_diags_free(&d);
    free(more);
    free(json);
}
END_TEST

START_TEST(text_oneline__escapes_and_bounds)
{
    char *s = imv_text_oneline("a\nb\tc\xff\xe2\x82\xac\xc3", 10, 100);
    ck_assert_str_eq(s, "a\\nb\\tc\\xFF\xe2\x82\xac\\xC3");
    free(s);
    s = imv_text_oneline("abcdef", 6, 2);
    ck_assert_uint_le(strlen(s), 8);
    free(s);
    s = imv_text_oneline("", 0, 10);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

/* A worker's reason for refusing a plugin, however long, comes out as
 * one line of valid UTF-8 that fits the caller's buffer: cut by snprintf
 * it had ended in half a character (found by tests/fuzz/fuzz_model_def.c). */
START_TEST(robust__long_refusal_stays_utf8)
{
    unsigned char msg[4 + 4 + 3 * 600];
    uint32_t refused = 0, len = 3 * 600 + 1;
    memcpy(msg, &refused, 4);
    memcpy(msg + 4, &len, 4);
    for (int i = 0; i < 600; i++)
        memcpy(msg + 8 + 3 * i, "\xe2\x82\xac", 3); /* the euro sign */
    for (size_t errlen = 90; errlen <= 1024; errlen += 7) {
        char err[1024];
        imv_model m;
        memset(&m, 0, sizeof m);
        ck_assert_int_eq(imv_isolated_unpack(msg, sizeof msg, &m, "/x/model.so", err, errlen),
                         IMV_EPLUGIN);
        ck_assert_uint_lt(strlen(err), errlen);
        ck_assert_msg(strlen(err) >= 3 && imv_utf8_valid(err, strlen(err)),
                      "errlen %zu: not UTF-8 (%zu bytes)", errlen, strlen(err));
        imv_model_free(&m);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("robust");
    TCase *tc = tcase_create("plugin_output");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, native__bad_output_is_the_models_error);
    tcase_add_test(tc, native__bad_output_is_the_models_error_when_isolated);
    tcase_add_test(tc, lua__bad_result_is_the_models_error);
    tcase_add_test(tc, lua__metamethod_strings_outlive_the_copy);
    tcase_add_test(tc, brief__flag_reaches_native_plugins);
    tcase_add_test(tc, score_only__bad_score_is_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("permissions");
    tcase_add_test(tc, permissions__others_cannot_write_plugins);
    tcase_add_test(tc, permissions__directory_scan_refuses_the_unsafe_and_keeps_the_rest);
    suite_add_tcase(s, tc);
    tc = tcase_create("reader");
    tcase_add_test(tc, run__bad_profile_does_not_end_the_file);
    tcase_add_test(tc, csv__rating_ranges_parse);
    tcase_add_test(tc, reader__read_error_is_reported_once_then_ends);
    tcase_add_test(tc, reader__garbage_is_not_a_profile_file);
    tcase_add_test(tc, diags__quoted_input_stays_one_line);
    tcase_add_test(tc, text_oneline__escapes_and_bounds);
    tcase_add_test(tc, robust__long_refusal_stays_utf8);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
