/*
 * check_cli.c - the built `imeval` binary end to end: --version and --help,
 * models, evaluate in every format (the JSON checked key by key against
 * RESULT-FORMAT.md), -o, standard input, explain, validate, the exit codes
 * 0/1/2, and deterministic output.
 *
 * Most runs use the test fixtures (tests/plugins) rather than the bundled
 * models, so that every expected score follows from the fixture's formula:
 * lua_good and reg_good score 10 * acceptance + 20; lua_runtime fails when
 * acceptance < 2 and scores 33 otherwise.
 */
#include <cjson/cJSON.h>
#include <csv.h>
#include <math.h>

#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------ */

static char dir[64];          /* private: fixtures and inputs */
static char models_opt[1024]; /* --no-bundled --model ... for the fixtures */

static void copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    ck_assert_msg(in != NULL, "%s missing", from);
    FILE *f = fopen(to, "wb");
    ck_assert_ptr_nonnull(f);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, f);
    fclose(in);
    fclose(f);
    chmod(to, 0644);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/imv-cli-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char from[512], to[512];
    static const char *const lua[] = {"good.lua", "runtime.lua"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(from, sizeof from, "%s/lua/%s", TU_FIXTURE_SRC, lua[i]);
        snprintf(to, sizeof to, "%s/%s", dir, lua[i]);
        copy(from, to);
    }
    snprintf(from, sizeof from, "%s/reg_good.so", TU_FIXTURES);
    snprintf(to, sizeof to, "%s/reg_good.so", dir);
    copy(from, to);
    snprintf(models_opt, sizeof models_opt,
             "--no-bundled --model %s/good.lua --model %s/runtime.lua --model %s/reg_good.so", dir,
             dir, dir);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Write text to dir/name; returns the path (static, one at a time). */
static const char *put_file(const char *name, const char *text)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* A profile with every rating 2 except acceptance. */
static char *profile(const char *id, double acceptance)
{
    char *base = tu_profile_json(id, "inadequate", 2);
    cJSON *j = cJSON_Parse(base);
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(j, "ratings"), "acceptance",
                                           cJSON_CreateNumber(acceptance));
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    free(base);
    return s;
}

/* Two profiles, JSON Lines: "low" (acceptance 1) and "high" (3). */
static const char *two_profiles(void)
{
    char *a = profile("low", 1), *b = profile("high", 3);
    char text[5000];
    snprintf(text, sizeof text, "%s\n%s\n", a, b);
    free(a);
    free(b);
    return put_file("two.jsonl", text);
}

/* Run "BIN args" and return the exit status; out/err captured. */
static int run(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char **out, char **err, const char *fmt, ...)
{
    char args[4096], cmd[4600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s", TU_BIN, args);
    return tu_run(cmd, out, err);
}

static cJSON *parse_json(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    ck_assert_msg(j != NULL, "output is not JSON: %.400s", s);
    return j;
}

static cJSON *get(const cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    ck_assert_msg(v != NULL, "key \"%s\" missing", k);
    return v;
}

static const char *str(const cJSON *o, const char *k)
{
    cJSON *v = get(o, k);
    ck_assert_msg(cJSON_IsString(v), "\"%s\" is not a string", k);
    return v->valuestring;
}

static double num(const cJSON *o, const char *k)
{
    cJSON *v = get(o, k);
    ck_assert_msg(cJSON_IsNumber(v), "\"%s\" is not a number", k);
    return v->valuedouble;
}

static const char *expected_band(double score)
{
    return score >= 70 ? "strong" : score >= 50 ? "moderate" : score >= 30 ? "weak" : "poor";
}

/* Every rule of RESULT-FORMAT.md that can be checked on any result. */
static void check_result_document(const cJSON *doc)
{
    ck_assert_str_eq(str(doc, "format"), "imeval-result/1");
    ck_assert_str_eq(str(get(doc, "engine"), "version"), IMV_VERSION);
    const cJSON *models = get(doc, "models");
    ck_assert(cJSON_IsArray(models));
    const cJSON *m;
    cJSON_ArrayForEach(m, models)
    {
        str(m, "id");
        str(m, "name");
        str(m, "version");
        const char *lang = str(m, "language");
        ck_assert(strcmp(lang, "c") == 0 || strcmp(lang, "lua") == 0);
        ck_assert(cJSON_IsObject(get(m, "parameters")));
    }
    const cJSON *results = get(doc, "results");
    ck_assert(cJSON_IsArray(results));
    const cJSON *res;
    cJSON_ArrayForEach(res, results)
    {
        str(res, "profile");
        str(res, "name");
        str(res, "as_of");
        const cJSON *rec = get(res, "recommended");
        const cJSON *ranking = get(res, "ranking");
        ck_assert_int_eq(cJSON_GetArraySize(ranking), cJSON_GetArraySize(models));
        int rank = 0, cls = 0;
        double prev = INFINITY;
        const char *prev_id = "";
        const char *first_viable = NULL;
        const cJSON *e;
        cJSON_ArrayForEach(e, ranking)
        {
            ck_assert_int_eq((int)num(e, "rank"), ++rank);
            const char *id = str(e, "model");
            int viable = cJSON_IsTrue(get(e, "viable"));
            ck_assert(cJSON_IsBool(get(e, "viable")));
            cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
            int c = err ? 2 : viable ? 0 : 1;
            /* viable, then non-viable, then failed */
            ck_assert_msg(c >= cls, "%s ranked above a better class", id);
            if (c != cls) {
                prev = INFINITY;
                prev_id = "";
            }
            cls = c;
            if (err) {
                ck_assert(cJSON_IsString(err));
                ck_assert(!viable);
                ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(e, "score"));
                ck_assert_int_gt(strcmp(id, prev_id), 0);
                prev_id = id;
                continue;
            }
            double s = num(e, "score");
            ck_assert(s >= 0 && s <= 100);
            ck_assert_str_eq(str(e, "band"), expected_band(s));
            ck_assert_msg(s <= prev, "%s: score %g above the one before (%g)", id, s, prev);
            if (s == prev)
                ck_assert_int_gt(strcmp(id, prev_id), 0);
            prev = s;
            prev_id = id;
            if (viable && !first_viable)
                first_viable = id;
            const cJSON *x;
            cJSON_ArrayForEach(x, get(e, "reasons"))
            {
                ck_assert(cJSON_IsArray(get(x, "fields")));
                num(x, "points");
                str(x, "text");
                str(x, "evidence");
            }
            const cJSON *unmet = get(e, "unmet_preconditions");
            ck_assert(cJSON_IsArray(unmet));
            ck_assert_int_eq(viable, cJSON_GetArraySize(unmet) == 0);
            ck_assert(cJSON_IsArray(get(e, "risks")));
            const cJSON *t = get(e, "timeline");
            static const char *const tk[] = {"setup_months", "months_to_fair", "months_to_good"};
            for (int k = 0; k < 3; k++) {
                const cJSON *v = get(t, tk[k]);
                ck_assert(cJSON_IsNull(v) || (cJSON_IsNumber(v) && v->valuedouble >= 0));
            }
            const cJSON *partner = cJSON_GetObjectItemCaseSensitive(e, "partner");
            if (partner) {
                str(partner, "id");
                ck_assert(num(partner, "fit") >= 0 && num(partner, "fit") <= 100);
            }
        }
        if (first_viable)
            ck_assert_str_eq(rec->valuestring, first_viable);
        else
            ck_assert(cJSON_IsNull(rec));
    }
    const cJSON *errors = get(doc, "errors");
    ck_assert(cJSON_IsArray(errors));
    cJSON_ArrayForEach(m, errors)
    {
        str(m, "source");
        str(m, "where");
        str(m, "message");
    }
}

static const cJSON *entry(const cJSON *result, const char *model)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, get(result, "ranking")) if (strcmp(str(e, "model"), model) == 0) return e;
    ck_abort_msg("no %s in the ranking", model);
    return NULL;
}

/* ---- the basics ---------------------------------------------------------------- */

START_TEST(cli__version)
{
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "--version"), 0);
    ck_assert_msg(strncmp(out, "imeval " IMV_VERSION, strlen("imeval " IMV_VERSION)) == 0, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, IMV_PROFILE_FORMAT));
    ck_assert_ptr_nonnull(strstr(out, IMV_RESULT_FORMAT));
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__help_on_each_subcommand)
{
    static const char *const cmds[] = {"evaluate", "explain", "validate", "models"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char *out, *err;
        ck_assert_int_eq(run(&out, &err, "%s --help", cmds[i]), 0);
        char want[64];
        snprintf(want, sizeof want, "usage: imeval %s", cmds[i]);
        ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s --help: %.200s", cmds[i], out);
        ck_assert_ptr_nonnull(strstr(out, "--help"));
        /* Help fits an 80-column terminal. */
        for (char *line = out, *nl; *line; line = nl + 1) {
            nl = strchr(line, '\n');
            if (!nl)
                break;
            ck_assert_msg(nl - line <= 80, "%s --help: line too wide: %.*s", cmds[i],
                          (int)(nl - line), line);
        }
        ck_assert_str_eq(err, "");
        free(out);
        free(err);
        ck_assert_int_eq(run(&out, &err, "%s -h", cmds[i]), 0);
        ck_assert_ptr_nonnull(strstr(out, want));
        free(out);
        free(err);
    }
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "--help"), 0);
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        ck_assert_ptr_nonnull(strstr(out, cmds[i]));
    free(out);
    free(err);
    ck_assert_int_eq(run(&out, &err, "help evaluate"), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: imeval evaluate"));
    ck_assert_ptr_nonnull(strstr(out, "--format"));
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__usage_errors_exit_2)
{
    static const char *const bad[] = {
        "",                              /* no command */
        "frobnicate",                    /* unknown command */
        "evaluate --bogus x.json",       /* unknown option */
        "evaluate --format yaml x.json", /* bad value */
        "evaluate --jobs 0 x.json",
        "evaluate --format", /* missing value */
        "evaluate",          /* no profiles */
        "explain trust",     /* missing PROFILE */
        "validate",
        "models extra-argument",
        "models --explain", /* an evaluate-only option */
        "evaluate --only nosuchmodel datasets/cases/plymouth-2006.json",
        "explain nosuchmodel datasets/cases/plymouth-2006.json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *out, *err;
        int rc = run(&out, &err, "%s", bad[i]);
        ck_assert_msg(rc == 2, "\"imeval %s\" exited %d", bad[i], rc);
        ck_assert_msg(strlen(err) > 0, "\"imeval %s\": no message", bad[i]);
        free(out);
        free(err);
    }
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "evaluate --bogus x.json"), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown option --bogus"));
    free(out);
    free(err);
}
END_TEST

/* ---- models ---------------------------------------------------------------------- */

START_TEST(cli__models_lists_what_the_engine_loads)
{
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "models --format json"), 0);
    cJSON *a = parse_json(out);
    /* The same models, in the same order, with the same parameters as the
     * engine loads from the bundled directory itself. */
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    ck_assert_int_eq(cJSON_GetArraySize(a), (int)imv_registry_count(reg));
    ck_assert_int_eq(cJSON_GetArraySize(a), 7);
    for (size_t i = 0; i < imv_registry_count(reg); i++) {
        const imv_model *m = imv_registry_get(reg, i);
        const cJSON *o = cJSON_GetArrayItem(a, (int)i);
        ck_assert_str_eq(str(o, "id"), imv_model_id(m));
        ck_assert_str_eq(str(o, "version"), imv_model_version(m));
        ck_assert_str_eq(str(o, "language"), imv_model_language(m));
        ck_assert_str_eq(str(o, "summary"), imv_model_summary(m));
        const cJSON *ps = get(o, "parameters");
        ck_assert_int_eq(cJSON_GetArraySize(ps), (int)imv_model_param_count(m));
        for (size_t k = 0; k < imv_model_param_count(m); k++) {
            const imv_param_def *p = imv_model_param(m, k);
            const cJSON *x = cJSON_GetArrayItem(ps, (int)k);
            ck_assert_str_eq(str(x, "name"), p->name);
            ck_assert_double_eq(num(x, "default"), p->def);
            ck_assert_double_eq(num(x, "value"), p->def);
            ck_assert_double_eq(num(x, "min"), p->min);
            ck_assert_double_eq(num(x, "max"), p->max);
        }
    }
    imv_registry_free(reg);
    imv_diags_free(&d);
    cJSON_Delete(a);
    free(out);
    free(err);

    /* The text form names each model with version and language. */
    ck_assert_int_eq(run(&out, &err, "models"), 0);
    ck_assert_ptr_nonnull(strstr(out, "trust 2.0.0 (lua)"));
    ck_assert_ptr_nonnull(strstr(out, "commissioner 2.0.0 (c)"));
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__models_with_parameter_overrides)
{
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "models %s --set lua_good.weight=5", models_opt), 0);
    /* value, range, marked as set */
    ck_assert_msg(strstr(out, "weight") && strstr(out, "5  [0..20] (set)"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "lua_good 3.0.1 (lua, isolated)"));
    ck_assert_ptr_nonnull(strstr(out, "reg_good 2.1.0 (c, isolated)"));
    free(out);
    free(err);
    ck_assert_int_eq(run(&out, &err, "models %s --set lua_good.weight=21", models_opt), 2);
    ck_assert_ptr_nonnull(strstr(err, "lua_good.weight: 21 is outside its range 0..20"));
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
    const char *pf = put_file("params.json", "{\"reg_good\": {\"bonus\": -10}}");
    ck_assert_int_eq(run(&out, &err, "models --format json %s --params %s", models_opt, pf), 0);
    cJSON *a = parse_json(out);
    const cJSON *m;
    int seen = 0;
    cJSON_ArrayForEach(m, a)
    {
        if (strcmp(str(m, "id"), "reg_good") != 0)
            continue;
        const cJSON *b = cJSON_GetArrayItem(get(m, "parameters"), 1);
        ck_assert_str_eq(str(b, "name"), "bonus");
        ck_assert_double_eq(num(b, "value"), -10);
        seen = 1;
    }
    ck_assert(seen);
    cJSON_Delete(a);
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__model_discovery)
{
    /* Two directories on IMEVAL_MODEL_PATH, one given with --models. */
    char d1[128], d2[128], from[512], to[300];
    snprintf(d1, sizeof d1, "%s/path1", dir);
    snprintf(d2, sizeof d2, "%s/path2", dir);
    ck_assert_int_eq(mkdir(d1, 0755), 0);
    ck_assert_int_eq(mkdir(d2, 0755), 0);
    snprintf(from, sizeof from, "%s/lua/good.lua", TU_FIXTURE_SRC);
    snprintf(to, sizeof to, "%s/good.lua", d1);
    copy(from, to);
    snprintf(from, sizeof from, "%s/reg_good.so", TU_FIXTURES);
    snprintf(to, sizeof to, "%s/reg_good.so", d2);
    copy(from, to);
    char cmd[2000];
    char *out, *err;
    snprintf(cmd, sizeof cmd, "IMEVAL_MODEL_PATH=%s:%s %s models --no-bundled --format json", d1,
             d2, TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    cJSON *a = parse_json(out);
    ck_assert_int_eq(cJSON_GetArraySize(a), 2);
    ck_assert_str_eq(str(cJSON_GetArrayItem(a, 0), "id"), "lua_good");
    ck_assert_str_eq(str(cJSON_GetArrayItem(a, 1), "id"), "reg_good");
    cJSON_Delete(a);
    free(out);
    free(err);
    /* --models DIR adds to the bundled seven. */
    ck_assert_int_eq(run(&out, &err, "models --format json --models %s", d1), 0);
    a = parse_json(out);
    ck_assert_int_eq(cJSON_GetArraySize(a), 8);
    cJSON_Delete(a);
    free(out);
    free(err);
    /* A second plugin with a bundled model's id: an error naming both
     * files; the bundled one stays and the run goes on (exit 1). */
    snprintf(from, sizeof from, "%s/trust.lua", TU_MODELS);
    snprintf(to, sizeof to, "%s/my_trust.lua", d2);
    copy(from, to);
    ck_assert_int_eq(run(&out, &err, "evaluate --format json --models %s %s/cases/plymouth-2006.json",
                         d2, TU_DATASETS),
                     1);
    char want[1200];
    snprintf(want, sizeof want, "two plugins with id \"trust\": %s/trust.lua and %s", TU_MODELS, to);
    ck_assert_msg(strstr(err, want) != NULL, "%s", err);
    a = parse_json(out);
    ck_assert_int_eq(cJSON_GetArraySize(get(a, "models")), 8); /* 7 + reg_good */
    ck_assert_int_eq(cJSON_GetArraySize(get(a, "results")), 1);
    cJSON_Delete(a);
    free(out);
    free(err);
}
END_TEST

/* ---- evaluate -------------------------------------------------------------------- */

START_TEST(cli__evaluate_json_follows_the_result_format)
{
    const char *in = two_profiles();
    char *out, *err;
    /* lua_runtime fails on "low": exit 1, results still written. */
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s %s", models_opt, in), 1);
    cJSON *doc = parse_json(out);
    check_result_document(doc);
    const cJSON *models = get(doc, "models");
    ck_assert_int_eq(cJSON_GetArraySize(models), 3);
    const cJSON *g = cJSON_GetArrayItem(models, 0);
    ck_assert_str_eq(str(g, "id"), "lua_good");
    ck_assert_str_eq(str(g, "language"), "lua");
    ck_assert_str_eq(str(g, "version"), "3.0.1");
    ck_assert_double_eq(num(get(g, "parameters"), "weight"), 10);
    ck_assert_str_eq(str(cJSON_GetArrayItem(models, 2), "language"), "c");

    const cJSON *results = get(doc, "results");
    ck_assert_int_eq(cJSON_GetArraySize(results), 2);
    const cJSON *low = cJSON_GetArrayItem(results, 0), *high = cJSON_GetArrayItem(results, 1);
    ck_assert_str_eq(str(low, "profile"), "low");
    ck_assert_str_eq(str(low, "name"), "Test low");
    ck_assert_str_eq(str(low, "as_of"), "2020-01");
    /* low: lua_good and reg_good both 10*1+20 = 30, tied: by id. */
    const cJSON *r0 = cJSON_GetArrayItem(get(low, "ranking"), 0);
    const cJSON *r1 = cJSON_GetArrayItem(get(low, "ranking"), 1);
    const cJSON *r2 = cJSON_GetArrayItem(get(low, "ranking"), 2);
    ck_assert_str_eq(str(r0, "model"), "lua_good");
    ck_assert_str_eq(str(r1, "model"), "reg_good");
    ck_assert_str_eq(str(r2, "model"), "lua_runtime");
    ck_assert_double_eq(num(r0, "score"), 30);
    ck_assert_str_eq(str(r0, "band"), "weak");
    ck_assert(cJSON_IsTrue(get(r0, "viable")));
    ck_assert_str_eq(str(low, "recommended"), "lua_good");
    /* The reasons, as the fixture gives them. */
    const cJSON *why = cJSON_GetArrayItem(get(r0, "reasons"), 0);
    ck_assert_str_eq(cJSON_GetArrayItem(get(why, "fields"), 0)->valuestring, "ratings.acceptance");
    ck_assert_str_eq(cJSON_GetArrayItem(get(why, "fields"), 1)->valuestring, "ratings.governance");
    ck_assert_double_eq(num(why, "points"), 10);
    ck_assert_str_eq(str(why, "text"), "acceptance counts");
    ck_assert_str_eq(str(why, "evidence"), "test fixture");
    ck_assert_str_eq(cJSON_GetArrayItem(get(r0, "risks"), 0)->valuestring, "a test risk");
    ck_assert_double_eq(num(get(r0, "timeline"), "setup_months"), 2);
    ck_assert_double_eq(num(get(r0, "timeline"), "months_to_fair"), 20);
    ck_assert(cJSON_IsNull(get(get(r0, "timeline"), "months_to_good")));
    /* No partners in the profile: no "partner" key at all. */
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r0, "partner"));
    /* The failed model: last, "error", not viable, no score. */
    ck_assert_double_eq(num(r2, "rank"), 3);
    ck_assert_ptr_nonnull(strstr(str(r2, "error"), "attempt to index a nil value"));
    ck_assert(cJSON_IsFalse(get(r2, "viable")));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r2, "score"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(r2, "band"));
    /* high: 50 and 50 (moderate), and lua_runtime's 33 (weak). */
    ck_assert_double_eq(num(entry(high, "lua_good"), "score"), 50);
    ck_assert_str_eq(str(entry(high, "lua_good"), "band"), "moderate");
    ck_assert_double_eq(num(entry(high, "lua_runtime"), "score"), 33);
    ck_assert_double_eq(num(entry(high, "lua_runtime"), "rank"), 3);
    /* The failure is listed in errors and on stderr too. */
    const cJSON *errors = get(doc, "errors");
    ck_assert_int_eq(cJSON_GetArraySize(errors), 1);
    ck_assert_ptr_nonnull(strstr(str(cJSON_GetArrayItem(errors, 0), "where"), "lua_runtime"));
    ck_assert_ptr_nonnull(strstr(err, "lua_runtime"));
    cJSON_Delete(doc);
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__evaluate_exit_codes)
{
    char *good = profile("fine", 3);
    char text[6000];
    snprintf(text, sizeof text, "%s\n", good);
    const char *in = put_file("good.jsonl", text);
    char *out, *err;
    char only_good[1100];
    snprintf(only_good, sizeof only_good, "--no-bundled --model %s/good.lua", dir);
    ck_assert_int_eq(run(&out, &err, "evaluate %s %s", only_good, in), 0);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
    /* One good and one bad profile: the good one is evaluated, exit 1. */
    char *bad = profile("broken", 9);
    snprintf(text, sizeof text, "%s\n%s\n", bad, good);
    in = put_file("mixed.jsonl", text);
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s %s", only_good, in), 1);
    cJSON *doc = parse_json(out);
    check_result_document(doc);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "results")), 1);
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(doc, "results"), 0), "profile"), "fine");
    const cJSON *e0 = cJSON_GetArrayItem(get(doc, "errors"), 0);
    ck_assert_str_eq(str(e0, "where"), "ratings.acceptance");
    ck_assert_str_eq(str(e0, "message"), "9 is outside 0..4");
    ck_assert_str_eq(str(e0, "source"), in);
    ck_assert_ptr_nonnull(strstr(err, ": ratings.acceptance: 9 is outside 0..4"));
    cJSON_Delete(doc);
    free(out);
    free(err);
    /* A file that does not exist: nothing evaluated, but not a usage error. */
    ck_assert_int_eq(run(&out, &err, "evaluate %s %s/none.json", only_good, dir), 1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
    free(out);
    free(err);
    /* --set out of range: usage error, nothing evaluated. */
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s --set lua_good.weight=99 %s",
                         only_good, in),
                     2);
    ck_assert_ptr_nonnull(strstr(err, "lua_good.weight: 99 is outside its range 0..20"));
    ck_assert_ptr_null(strstr(out, "\"results\""));
    free(out);
    free(err);
    free(good);
    free(bad);
}
END_TEST

/* The example of PROFILE-FORMAT.md "Errors", from the command line. */
START_TEST(cli__contract_error_message)
{
    char path[600];
    snprintf(path, sizeof path, "%s/cases/isle-of-wight-2013.json", TU_DATASETS);
    char *text = tu_slurp(path);
    ck_assert_ptr_nonnull(text);
    char *acc = strstr(text, "\"acceptance\": 3");
    ck_assert_ptr_nonnull(acc);
    acc[strlen("\"acceptance\": ")] = '7';
    put_file("isle-of-wight.json", text);
    free(text);
    static const char *const cmds[] = {"evaluate", "validate"};
    for (int i = 0; i < 2; i++) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "cd %s && %s %s isle-of-wight.json", dir, TU_BIN, cmds[i]);
        char *out, *err;
        ck_assert_int_eq(tu_run(cmd, &out, &err), 1);
        ck_assert_msg(strstr(err, "isle-of-wight.json: ratings.acceptance: 7 is outside 0..4\n"),
                      "%s: %s", cmds[i], err);
        free(out);
        free(err);
    }
}
END_TEST

START_TEST(cli__evaluate_bundled_models_on_the_cases)
{
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s/cases/*.json", TU_DATASETS), 0);
    cJSON *doc = parse_json(out);
    check_result_document(doc);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "models")), 7);
    ck_assert_int_ge(cJSON_GetArraySize(get(doc, "results")), 10);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "errors")), 0);
    cJSON_Delete(doc);
    free(out);
    free(err);
}
END_TEST

/* Lines of s, with the number of characters (UTF-8 code points) of the
 * widest. */
static size_t widest_line(const char *s)
{
    size_t best = 0, cur = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') {
            best = cur > best ? cur : best;
            cur = 0;
        } else if ((*p & 0xC0) != 0x80) {
            cur++;
        }
    }
    return cur > best ? cur : best;
}

START_TEST(cli__table_format)
{
    const char *in = two_profiles();
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "evaluate %s %s", models_opt, in), 1);
    ck_assert_ptr_nonnull(strstr(out, "Test low (low, as of 2020-01): inadequate"));
    ck_assert_ptr_nonnull(strstr(out, "recommended: lua_good"));
    ck_assert_ptr_nonnull(strstr(out, "lua_runtime"));
    /* The ranked rows in order, with their scores. */
    char *a = strstr(out, " 1  lua_good"), *b = strstr(out, " 2  reg_good"),
         *c = strstr(out, " 3  lua_runtime");
    ck_assert_msg(a && b && c && a < b && b < c, "%s", out);
    ck_assert_ptr_nonnull(strstr(a, "30.0"));
    ck_assert_uint_le(widest_line(out), 80);
    free(out);
    free(err);
    /* --explain adds the reasons and still fits. */
    ck_assert_int_eq(run(&out, &err,
                         "evaluate --explain %s/cases/isle-of-wight-2013.json "
                         "%s/cases/doncaster-2013.json",
                         TU_DATASETS, TU_DATASETS),
                     0);
    ck_assert_uint_le(widest_line(out), 80);
    ck_assert_ptr_nonnull(strstr(out, "evidence"));
    free(out);
    free(err);
}
END_TEST

typedef struct csv_doc {
    char *cells[64][16];
    size_t row, col, ncols[64];
} csv_doc;

static void on_field(void *s, size_t n, void *ctx)
{
    csv_doc *d = ctx;
    /* libcsv's field is not NUL-terminated: copy exactly n bytes (strndup
     * may look at byte n, past the buffer, as ASan points out). */
    if (d->row < 64 && d->col < 16) {
        char *c = malloc(n + 1);
        if (n)
            memcpy(c, s, n);
        c[n] = '\0';
        d->cells[d->row][d->col] = c;
    }
    d->col++;
}

static void on_record(int c, void *ctx)
{
    (void)c;
    csv_doc *d = ctx;
    if (d->row < 64)
        d->ncols[d->row] = d->col;
    d->row++;
    d->col = 0;
}

START_TEST(cli__csv_format)
{
    const char *in = two_profiles();
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "evaluate --format csv %s %s", models_opt, in), 1);
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    csv_doc *d = calloc(1, sizeof *d);
    ck_assert_uint_eq(csv_parse(&p, out, strlen(out), on_field, on_record, d), strlen(out));
    ck_assert_int_eq(csv_fini(&p, on_field, on_record, d), 0);
    csv_free(&p);
    /* a header and 2 profiles x 3 models, every row as wide as the header */
    ck_assert_uint_eq(d->row, 7);
    for (size_t r = 1; r < 7; r++)
        ck_assert_uint_eq(d->ncols[r], d->ncols[0]);
    ck_assert_str_eq(d->cells[0][0], "profile");
    size_t c_model = 99, c_rank = 99, c_score = 99, c_band = 99, c_error = 99, c_viable = 99;
    for (size_t c = 0; c < d->ncols[0]; c++) {
        const char *h = d->cells[0][c];
        if (!strcmp(h, "model"))
            c_model = c;
        if (!strcmp(h, "rank"))
            c_rank = c;
        if (!strcmp(h, "score"))
            c_score = c;
        if (!strcmp(h, "band"))
            c_band = c;
        if (!strcmp(h, "error"))
            c_error = c;
        if (!strcmp(h, "viable"))
            c_viable = c;
    }
    ck_assert(c_model < 99 && c_rank < 99 && c_score < 99 && c_band < 99 && c_error < 99 &&
              c_viable < 99);
    ck_assert_str_eq(d->cells[1][0], "low");
    ck_assert_str_eq(d->cells[1][c_model], "lua_good");
    ck_assert_str_eq(d->cells[1][c_rank], "1");
    ck_assert_str_eq(d->cells[1][c_score], "30.0");
    ck_assert_str_eq(d->cells[1][c_band], "weak");
    ck_assert_str_eq(d->cells[1][c_viable], "true");
    ck_assert_str_eq(d->cells[3][c_model], "lua_runtime");
    ck_assert_str_eq(d->cells[3][c_score], "");
    ck_assert_str_eq(d->cells[3][c_viable], "false");
    ck_assert_ptr_nonnull(strstr(d->cells[3][c_error], "attempt to index a nil value"));
    ck_assert_str_eq(d->cells[4][0], "high");
    ck_assert_str_eq(d->cells[4][c_score], "50.0");
    ck_assert_str_eq(d->cells[6][c_score], "33.0");
    for (size_t r = 0; r < 64; r++)
        for (size_t c = 0; c < 16; c++)
            free(d->cells[r][c]);
    free(d);
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__markdown_format)
{
    const char *in = two_profiles();
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "evaluate --format markdown %s %s", models_opt, in), 1);
    ck_assert_ptr_nonnull(strstr(out, "## Test low (`low`, as of 2020-01, inadequate)"));
    ck_assert_ptr_nonnull(strstr(out, "Recommended: **lua_good**"));
    ck_assert_ptr_nonnull(strstr(out, "|---|"));
    char *a = strstr(out, "| 1 | lua_good | 30.0 | weak | yes |");
    char *b = strstr(out, "| 2 | reg_good | 30.0 | weak | yes |");
    ck_assert_msg(a && b && a < b, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "## Test high"));
    /* Every table row has as many cells as its header. */
    int cols = -1;
    for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        if (*line != '|') {
            cols = -1;
            continue;
        }
        int n = 0;
        for (char *p = line; p < nl; p++)
            n += *p == '|';
        if (cols < 0)
            cols = n;
        ck_assert_int_eq(n, cols);
    }
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__output_file_and_stdin)
{
    const char *in = two_profiles();
    char *out, *err, *out2, *err2;
    int rc = run(&out, &err, "evaluate --format json %s %s", models_opt, in);
    ck_assert_int_eq(rc, 1);
    char target[200];
    snprintf(target, sizeof target, "%s/result.json", dir);
    ck_assert_int_eq(run(&out2, &err2, "evaluate --format json -o %s %s %s", target, models_opt, in),
                     1);
    ck_assert_str_eq(out2, "");
    char *file = tu_slurp(target);
    ck_assert_ptr_nonnull(file);
    ck_assert_str_eq(file, out);
    free(file);
    free(out2);
    free(err2);
    /* "-" reads standard input; only the source differs. */
    ck_assert_int_eq(run(&out2, &err2, "evaluate --format json %s - < %s", models_opt, in), 1);
    cJSON *a = parse_json(out), *b = parse_json(out2);
    const cJSON *ra = get(a, "results"), *rb = get(b, "results");
    ck_assert_int_eq(cJSON_GetArraySize(rb), 2);
    for (int i = 0; i < 2; i++) {
        cJSON *x = cJSON_GetArrayItem(ra, i), *y = cJSON_GetArrayItem(rb, i);
        ck_assert_str_eq(str(y, "source"), "-");
        cJSON_DeleteItemFromObject(x, "source");
        cJSON_DeleteItemFromObject(y, "source");
        ck_assert_msg(cJSON_Compare(x, y, 1), "stdin result %d differs", i);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(out);
    free(err);
    free(out2);
    free(err2);
    /* An unwritable -o is an error and leaves nothing behind. */
    ck_assert_int_ne(run(&out, &err, "evaluate -o /nonexistent/dir/r.json %s %s", models_opt, in), 0);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/r.json"));
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__explain)
{
    const char *in = two_profiles();
    char *out, *err;
    /* The two profiles in one file: each explained. */
    ck_assert_int_eq(run(&out, &err, "explain lua_good %s %s", models_opt, in), 1);
    ck_assert_msg(strstr(out, "Lua fixture (lua_good) for Test low"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "rank 1 of 3, score 30.0 (weak), viable"));
    ck_assert_ptr_nonnull(strstr(out, "acceptance counts"));
    ck_assert_ptr_nonnull(strstr(out, "test fixture"));
    ck_assert_ptr_nonnull(strstr(out, "a test risk"));
    ck_assert_ptr_nonnull(strstr(out, "score 50.0 (moderate)"));
    free(out);
    free(err);
    char only_good[1100];
    snprintf(only_good, sizeof only_good, "--no-bundled --model %s/good.lua", dir);
    char *p = profile("one", 0.5);
    const char *one = put_file("one.json", p);
    free(p);
    ck_assert_int_eq(run(&out, &err, "explain lua_good %s %s", only_good, one), 0);
    /* 10 * 0.5 + 20 = 25, and the unmet precondition */
    ck_assert_msg(strstr(out, "score 25.0 (poor)"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "the council must accept the judgement"));
    free(out);
    free(err);
    ck_assert_int_eq(run(&out, &err, "explain --format json lua_good %s %s", only_good, one), 0);
    cJSON *a = parse_json(out);
    const cJSON *x = cJSON_GetArrayItem(a, 0);
    ck_assert_str_eq(str(x, "profile"), "one");
    ck_assert_double_eq(num(get(x, "result"), "score"), 25);
    ck_assert(cJSON_IsFalse(get(get(x, "result"), "viable")));
    ck_assert(cJSON_IsNull(get(x, "recommended")));
    cJSON_Delete(a);
    free(out);
    free(err);
    /* A bundled model on a case profile. */
    ck_assert_int_eq(run(&out, &err, "explain trust %s/cases/doncaster-2013.json", TU_DATASETS), 0);
    ck_assert_ptr_nonnull(strstr(out, "(trust) for Doncaster"));
    ck_assert_ptr_nonnull(strstr(out, "evidence: "));
    ck_assert_uint_le(widest_line(out), 80);
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__validate)
{
    char *good = profile("fine", 3), *bad = profile("broken", 9);
    char text[6000];
    snprintf(text, sizeof text, "%s\n", good);
    const char *g = put_file("valid.jsonl", text);
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "validate %s", g), 0);
    ck_assert_ptr_nonnull(strstr(out, ":1: fine: ok"));
    ck_assert_ptr_nonnull(strstr(err, "1 valid, 0 invalid"));
    free(out);
    free(err);
    snprintf(text, sizeof text, "%s\n%s\n{\"id\": \n", bad, good);
    const char *m = put_file("mixed.jsonl", text);
    ck_assert_int_eq(run(&out, &err, "validate %s", m), 1);
    ck_assert_ptr_nonnull(strstr(out, ":2: fine: ok"));
    ck_assert_ptr_nonnull(strstr(err, ": ratings.acceptance: 9 is outside 0..4"));
    ck_assert_ptr_nonnull(strstr(err, "1 valid, 2 invalid"));
    free(out);
    free(err);
    ck_assert_int_eq(run(&out, &err, "validate --format json %s", m), 1);
    cJSON *doc = parse_json(out);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "valid")), 1);
    ck_assert_int_ge(cJSON_GetArraySize(get(doc, "errors")), 2);
    const cJSON *e0 = cJSON_GetArrayItem(get(doc, "errors"), 0);
    ck_assert_str_eq(str(e0, "where"), "ratings.acceptance");
    ck_assert_double_eq(num(e0, "line"), 1);
    cJSON_Delete(doc);
    free(out);
    free(err);
    /* Unknown fields: a warning (exit 0), or with --strict an error. */
    cJSON *j = cJSON_Parse(good);
    cJSON_AddStringToObject(j, "colour", "red");
    char *s = cJSON_PrintUnformatted(j);
    const char *u = put_file("unknown.json", s);
    ck_assert_int_eq(run(&out, &err, "validate %s", u), 0);
    ck_assert_ptr_nonnull(strstr(err, "warning: "));
    ck_assert_ptr_nonnull(strstr(err, "colour: unknown field"));
    free(out);
    free(err);
    ck_assert_int_eq(run(&out, &err, "validate --strict %s", u), 1);
    ck_assert_ptr_nonnull(strstr(err, "colour: unknown field (--strict)"));
    free(out);
    free(err);
    /* All the bundled case profiles are valid. */
    ck_assert_int_eq(run(&out, &err, "validate %s/cases/*.json", TU_DATASETS), 0);
    free(out);
    free(err);
    cJSON_Delete(j);
    free(s);
    free(good);
    free(bad);
}
END_TEST

/* A spreadsheet's CSV through the binary, from a file and from stdin. */
START_TEST(cli__csv_input)
{
    char csv[600];
    snprintf(csv, sizeof csv, "%s/two.csv", TU_TESTDATA);
    char only_good[1100];
    snprintf(only_good, sizeof only_good, "--no-bundled --model %s/good.lua", dir);
    char *out, *err, *out2, *err2;
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s %s", only_good, csv), 0);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(run(&out2, &err2, "evaluate --format json %s - < %s", only_good, csv), 0);
    cJSON *a = parse_json(out), *b = parse_json(out2);
    check_result_document(a);
    const cJSON *ra = get(a, "results"), *rb = get(b, "results");
    ck_assert_int_eq(cJSON_GetArraySize(ra), 2);
    ck_assert_int_eq(cJSON_GetArraySize(rb), 2);
    const cJSON *bath = cJSON_GetArrayItem(ra, 0), *leeds = cJSON_GetArrayItem(ra, 1);
    ck_assert_str_eq(str(bath, "name"), "Bath, North East Somerset");
    ck_assert_str_eq(str(bath, "as_of"), "2020-05");
    /* acceptance 1..3 is 2 in a plain evaluation: 10 * 2 + 20 */
    ck_assert_double_eq(num(entry(bath, "lua_good"), "score"), 40);
    ck_assert_str_eq(str(leeds, "profile"), "leeds-2021");
    ck_assert_str_eq(str(leeds, "grade"), "requires_improvement");
    ck_assert_double_eq(num(entry(leeds, "lua_good"), "score"), 60);
    for (int i = 0; i < 2; i++)
        ck_assert_double_eq(num(entry(cJSON_GetArrayItem(rb, i), "lua_good"), "score"), i ? 60 : 40);
    ck_assert_str_eq(str(cJSON_GetArrayItem(rb, 0), "source"), "-");
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(out);
    free(err);
    free(out2);
    free(err2);
    ck_assert_int_eq(run(&out, &err, "validate %s", csv), 0);
    ck_assert_ptr_nonnull(strstr(out, ":2: bath-2020: ok (has uncertain ratings)"));
    ck_assert_ptr_nonnull(strstr(out, ":3: leeds-2021: ok"));
    free(out);
    free(err);
}
END_TEST

START_TEST(cli__duplicate_ids_and_empty_input)
{
    char *p = profile("same", 2);
    const char *a = put_file("a.json", p);
    char a_path[256];
    snprintf(a_path, sizeof a_path, "%s", a);
    const char *b = put_file("b.json", p);
    free(p);
    char only_good[1100];
    snprintf(only_good, sizeof only_good, "--no-bundled --model %s/good.lua", dir);
    char *out, *err;
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s %s %s", only_good, a_path, b), 1);
    cJSON *doc = parse_json(out);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "results")), 1);
    const cJSON *e0 = cJSON_GetArrayItem(get(doc, "errors"), 0);
    ck_assert_str_eq(str(e0, "source"), b);
    ck_assert_str_eq(str(e0, "where"), "id");
    ck_assert_ptr_nonnull(strstr(str(e0, "message"), "duplicate profile id \"same\""));
    ck_assert_ptr_nonnull(strstr(str(e0, "message"), a_path)); /* where it was first seen */
    cJSON_Delete(doc);
    free(out);
    free(err);
    /* An empty array is no profiles and no errors. */
    const char *empty = put_file("empty.json", "[]\n");
    ck_assert_int_eq(run(&out, &err, "evaluate --format json %s %s", only_good, empty), 0);
    doc = parse_json(out);
    check_result_document(doc);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "results")), 0);
    ck_assert_int_eq(cJSON_GetArraySize(get(doc, "errors")), 0);
    cJSON_Delete(doc);
    free(out);
    free(err);
}
END_TEST

/* The messages of a run come in the order of its files and lines, whether
 * a profile was parsed by one of the threads (evaluate) or by the reader
 * (validate), and whether the problem was found in its parse (a value, a
 * JSON error, a duplicate id) or while reading (a file that cannot be
 * opened, a stray bracket).  The first file is longer than a batch (32
 * profiles a thread), so its problems are parsed in different batches. */
START_TEST(cli__messages_keep_the_order_of_the_files)
{
    size_t cap = 150 * 3000;
    char *text = malloc(cap), *at = text;
    for (int i = 1; i <= 150; i++) {
        char id[32];
        snprintf(id, sizeof id, "p%d", i == 101 ? 4 : i); /* line 101: line 4's id again */
        char *pj = profile(id, i == 6 || i == 141 ? 9 : 2);
        at += snprintf(at, cap - (size_t)(at - text), "%s\n", i == 71 ? "{\"id\": \"x\",}" : pj);
        free(pj);
    }
    const char *a = put_file("many.jsonl", text);
    char a_path[256];
    snprintf(a_path, sizeof a_path, "%s", a);
    char *g = profile("c1", 2), *bad = profile("c2", 9);
    snprintf(text, cap, "%s\n%s\n]\n", g, bad);
    free(g);
    free(bad);
    const char *c = put_file("tail.jsonl", text);
    char c_path[256], b_path[256];
    snprintf(c_path, sizeof c_path, "%s", c);
    snprintf(b_path, sizeof b_path, "%s/missing.json", dir);
    free(text);
    const struct {
        const char *source;
        double line;
        const char *what;
    } want[] = {
        {a_path, 6, "outside 0..4"},   {a_path, 71, "malformed JSON"}, {a_path, 101, "duplicate"},
        {a_path, 141, "outside 0..4"}, {b_path, 0, "cannot open"},     {c_path, 2, "outside 0..4"},
        {c_path, 3, "unexpected ']'"},
    };
    const char *cmds[] = {"evaluate --format json -j 1", "evaluate --format json -j 2",
                          "validate --format json"};
    for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++) {
        char *out, *err;
        ck_assert_int_eq(run(&out, &err, "%s %s %s %s", cmds[k], a_path, b_path, c_path), 1);
        cJSON *doc = parse_json(out);
        const cJSON *errors = get(doc, "errors");
        ck_assert_int_eq(cJSON_GetArraySize(errors), (int)(sizeof want / sizeof *want));
        for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
            const cJSON *e = cJSON_GetArrayItem(errors, (int)i);
            ck_assert_msg(strcmp(str(e, "source"), want[i].source) == 0, "%s: error %zu is from %s",
                          cmds[k], i, str(e, "source"));
            const cJSON *line = cJSON_GetObjectItem(e, "line");
            ck_assert_double_eq(cJSON_IsNumber(line) ? line->valuedouble : 0, want[i].line);
            ck_assert_msg(strstr(str(e, "message"), want[i].what), "%s: error %zu: %s", cmds[k], i,
                          str(e, "message"));
        }
        const char *list = k < 2 ? "results" : "valid";
        ck_assert_int_eq(cJSON_GetArraySize(get(doc, list)), 150 - 4 + 1);
        cJSON_Delete(doc);
        free(out);
        free(err);
    }
}
END_TEST

START_TEST(cli__output_is_deterministic)
{
    /* Many profiles, so that two threads really share the work. */
    char *text = malloc(200000);
    text[0] = '\0';
    for (int i = 0; i < 60; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%02d", i);
        char *p = tu_profile_json(id, i % 2 ? "inadequate" : "requires_improvement", (i % 9) * 0.5);
        strcat(text, p);
        strcat(text, "\n");
        free(p);
    }
    const char *in = put_file("many.jsonl", text);
    free(text);
    static const char *const fmts[] = {"json", "table", "csv", "markdown"};
    for (size_t f = 0; f < 4; f++) {
        char *a, *b, *c, *ea, *eb, *ec;
        ck_assert_int_eq(run(&a, &ea, "evaluate --format %s --jobs 1 %s %s/cases/*.json", fmts[f],
                             in, TU_DATASETS),
                         0);
        ck_assert_int_eq(run(&b, &eb, "evaluate --format %s --jobs 1 %s %s/cases/*.json", fmts[f],
                             in, TU_DATASETS),
                         0);
        ck_assert_int_eq(run(&c, &ec, "evaluate --format %s --jobs 2 %s %s/cases/*.json", fmts[f],
                             in, TU_DATASETS),
                         0);
        ck_assert_msg(strcmp(a, b) == 0, "%s: two runs differ", fmts[f]);
        ck_assert_msg(strcmp(a, c) == 0, "%s: --jobs 1 and --jobs 2 differ", fmts[f]);
        ck_assert_uint_gt(strlen(a), 1000);
        free(a);
        free(b);
        free(c);
        free(ea);
        free(eb);
        free(ec);
    }
    /* With draws: the same seed, the same output, whatever the threads. */
    char *a, *b, *ea, *eb;
    ck_assert_int_eq(run(&a, &ea,
                         "evaluate --format json --draws 200 --seed 7 --jobs 1 "
                         "%s/cases/isle-of-wight-2013.json %s/cases/torbay-2018.json",
                         TU_DATASETS, TU_DATASETS),
                     0);
    ck_assert_int_eq(run(&b, &eb,
                         "evaluate --format json --draws 200 --seed 7 --jobs 2 "
                         "%s/cases/isle-of-wight-2013.json %s/cases/torbay-2018.json",
                         TU_DATASETS, TU_DATASETS),
                     0);
    ck_assert_str_eq(a, b);
    cJSON *doc = parse_json(a);
    const cJSON *u = get(cJSON_GetArrayItem(get(doc, "results"), 0), "uncertainty");
    ck_assert_double_eq(num(u, "draws"), 200);
    ck_assert_double_eq(num(u, "seed"), 7);
    cJSON_Delete(doc);
    free(a);
    free(b);
    free(ea);
    free(eb);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, cli__version);
    tcase_add_test(tc, cli__help_on_each_subcommand);
    tcase_add_test(tc, cli__usage_errors_exit_2);
    tcase_add_test(tc, cli__models_lists_what_the_engine_loads);
    tcase_add_test(tc, cli__models_with_parameter_overrides);
    tcase_add_test(tc, cli__model_discovery);
    tcase_add_test(tc, cli__evaluate_json_follows_the_result_format);
    tcase_add_test(tc, cli__evaluate_exit_codes);
    tcase_add_test(tc, cli__contract_error_message);
    tcase_add_test(tc, cli__evaluate_bundled_models_on_the_cases);
    tcase_add_test(tc, cli__table_format);
    tcase_add_test(tc, cli__csv_format);
    tcase_add_test(tc, cli__markdown_format);
    tcase_add_test(tc, cli__output_file_and_stdin);
    tcase_add_test(tc, cli__explain);
    tcase_add_test(tc, cli__validate);
    tcase_add_test(tc, cli__csv_input);
    tcase_add_test(tc, cli__duplicate_ids_and_empty_input);
    tcase_add_test(tc, cli__messages_keep_the_order_of_the_files);
    tcase_add_test(tc, cli__output_is_deterministic);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
