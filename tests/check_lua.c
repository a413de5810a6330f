/*
 * check_lua.c - the Lua host (plugins/lua/) with the scripts in
 * tests/plugins/lua/: a good script with the same capabilities as a C
 * plugin, errors at load and at scoring, the instruction budget and the
 * memory cap (each becoming that model's error, the others unaffected),
 * the sandbox (every forbidden library really absent, bytecode refused) and
 * every kind of bad result.
 *
 * Scripts are copied to a private directory first: the registry refuses
 * plugin files that others could write, and a checkout may have left them
 * group-writable.
 */
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <time.h>

#include "testutil.h"

#define BUDGET 1000000L
#define CAP (2u << 20)

/* ---- helpers -------------------------------------------------------------------- */

static char priv_dir[64];

/* Copy tests/plugins/lua/NAME into a private directory; returns the copy's
 * path (static buffer per call site is not enough: caller frees). */
static char *script(const char *name)
{
    if (!priv_dir[0]) {
        snprintf(priv_dir, sizeof priv_dir, "/tmp/imv-lua-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(priv_dir));
    }
    char src[512];
    snprintf(src, sizeof src, "%s/lua/%s", TU_FIXTURE_SRC, name);
    char *text = tu_slurp(src);
    ck_assert_msg(text != NULL, "fixture %s missing", src);
    char *dst = malloc(512);
    snprintf(dst, 512, "%s/%s", priv_dir, name);
    FILE *f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(dst, 0644);
    free(text);
    return dst;
}

/* Each test runs in its own process with its own directory: remove it. */
static void remove_priv_dir(void)
{
    if (!priv_dir[0])
        return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", priv_dir);
    ck_assert_int_eq(system(cmd), 0);
    priv_dir[0] = '\0';
}

static imv_registry *new_registry(long budget, size_t cap)
{
    imv_limits l;
    imv_limits_default(&l);
    l.lua_instructions = budget;
    l.lua_memory = cap;
    l.isolate = 0; /* the in-process host and sandbox are under test */
    return imv_registry_new(&l);
}

static const char *dump(const imv_diags *d)
{
    static char buf[4000];
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && k < sizeof buf - 1; i++) {
        char line[1200];
        imv_diag_format(&d->v[i], line, sizeof line);
        k += (size_t)snprintf(buf + k, sizeof buf - k, "[%s] ", line);
    }
    return buf;
}

/* Load scripts (NULL-terminated) into reg; each must load. */
static void load_ok(imv_registry *reg, const char *const *names)
{
    imv_diags d;
    imv_diags_init(&d);
    for (; *names; names++) {
        char *p = script(*names);
        int rc = imv_registry_load_file(reg, p, 0, &d);
        ck_assert_msg(rc == 0, "%s: %s", *names, dump(&d));
        free(p);
    }
    imv_diags_free(&d);
}

/* Load one script that must be refused; returns its message (static). */
static const char *load_refused_path(const char *p, long budget)
{
    static char msg[1200];
    imv_registry *reg = new_registry(budget, CAP);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_msg(imv_registry_load_file(reg, p, 0, &d) < 0, "%s loaded", p);
    ck_assert_uint_eq(imv_registry_count(reg), 0);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_str_eq(d.v[0].source, p); /* the message names the file */
    snprintf(msg, sizeof msg, "%s", d.v[0].message);
    imv_diags_free(&d);
    imv_registry_free(reg);
    return msg;
}

static const char *load_refused(const char *name, long budget)
{
    char *p = script(name);
    const char *m = load_refused_path(p, budget);
    free(p);
    return m;
}

static imv_profile *make_profile(const char *id, double acceptance, const char *partners)
{
    char *text = tu_profile_json(id, "inadequate", 2);
    cJSON *j = cJSON_Parse(text);
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(j, "ratings"), "acceptance",
                                           cJSON_CreateNumber(acceptance));
    if (partners)
        cJSON_AddItemToObject(j, "partners", cJSON_Parse(partners));
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "t.json", 1, 0, &p, &d), 0);
    imv_diags_free(&d);
    cJSON_Delete(j);
    free(text);
    return p;
}

static size_t index_of(imv_registry *reg, const char *id)
{
    for (size_t i = 0; i < imv_registry_count(reg); i++)
        if (strcmp(imv_model_id(imv_registry_get(reg, i)), id) == 0)
            return i;
    ck_abort_msg("model %s not loaded", id);
    return 0;
}

/* Score model `id` on p with worker w (which keeps Lua states between
 * calls, as a run does). */
static void score_with(imv_worker *w, imv_registry *reg, const char *id, const imv_profile *p,
                       int flags, imv_result *r)
{
    size_t i = index_of(reg, id);
    imv_partner_view pb[4];
    imv_profile_view v;
    ck_assert_uint_le(p->n_partners, 4);
    imv_profile_view_init(p, &v, pb);
    v.flags |= (uint32_t)flags;
    imv_model *m = imv_registry_get(reg, i);
    memset(r, 0, sizeof *r);
    imv_result_reset(r, m, (flags & IMV_VIEW_SCORE_ONLY) != 0);
    imv_worker_score(w, i, &v, p->serial, imv_model_param_values(m), r);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- a good script ------------------------------------------------------------------ */

START_TEST(lua__good_script_declares_everything)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"good.lua", NULL};
    load_ok(reg, names);
    imv_model *m = imv_registry_get(reg, 0);
    ck_assert_str_eq(imv_model_id(m), "lua_good");
    ck_assert_str_eq(imv_model_name(m), "Lua fixture");
    ck_assert_str_eq(imv_model_version(m), "3.0.1");
    ck_assert_str_eq(imv_model_summary(m), "a predictable Lua model for the host tests");
    ck_assert_str_eq(imv_model_evidence(m), "none (test)");
    ck_assert_str_eq(imv_model_language(m), "lua");
    ck_assert_int_eq(imv_model_isolated(m), 0);
    ck_assert_uint_eq(imv_model_param_count(m), 2);
    ck_assert_str_eq(imv_model_param(m, 0)->name, "weight");
    ck_assert_double_eq(imv_model_param(m, 0)->def, 10);
    ck_assert_double_eq(imv_model_param(m, 0)->min, 0);
    ck_assert_double_eq(imv_model_param(m, 0)->max, 20);
    ck_assert_str_eq(imv_model_param(m, 0)->description, "points per point of acceptance");
    ck_assert_str_eq(imv_model_param(m, 1)->name, "bonus");
    ck_assert_double_eq(imv_model_param(m, 1)->min, -10);
    ck_assert_double_eq(imv_model_param_values(m)[1], 20);
    imv_registry_free(reg);
}
END_TEST

/* The Lua fixture and the C fixture reg_good.so compute the same thing:
 * both hosts must hand back the same result. */
START_TEST(lua__good_script_result_equals_the_c_plugin)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"good.lua", NULL};
    load_ok(reg, names);
    imv_diags d;
    imv_diags_init(&d);
    char so[512];
    snprintf(so, sizeof so, "%s/reg_good.so", TU_FIXTURES);
    ck_assert_msg(imv_registry_load_file(reg, so, 1, &d) == 0, "%s", dump(&d));
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, "[{\"id\": \"hampshire\"}]");
    imv_result l, c;
    score_with(w, reg, "lua_good", p, 0, &l);
    score_with(w, reg, "reg_good", p, 0, &c);
    ck_assert_msg(l.error == NULL, "%s", l.error);
    ck_assert_msg(c.error == NULL, "%s", c.error);
    ck_assert_double_eq(l.score, 50); /* 10 * 3 + 20 */
    ck_assert_double_eq(l.score, c.score);
    ck_assert_int_eq(l.viable, 1);
    ck_assert_uint_eq(l.n_reasons, 1);
    /* An array of fields is joined with commas. */
    ck_assert_str_eq(l.reasons[0].fields, "ratings.acceptance,ratings.governance");
    ck_assert_double_eq(l.reasons[0].points, c.reasons[0].points);
    ck_assert_str_eq(l.reasons[0].text, c.reasons[0].text);
    ck_assert_str_eq(l.reasons[0].evidence, c.reasons[0].evidence);
    ck_assert_uint_eq(l.n_risks, 1);
    ck_assert_str_eq(l.risks[0], c.risks[0]);
    ck_assert_double_eq(l.setup_months, c.setup_months);
    ck_assert_double_eq(l.months_to_fair, c.months_to_fair);
    ck_assert_double_eq(l.months_to_good, IMV_UNKNOWN); /* not given: unknown */
    ck_assert_str_eq(l.partner_id, "hampshire");
    ck_assert_double_eq(l.partner_fit, c.partner_fit);
    imv_result_clear(&l);
    imv_result_clear(&c);
    /* Low acceptance: an unmet precondition, non-viable, score kept. */
    imv_profile *q = make_profile("q", 0.5, NULL);
    score_with(w, reg, "lua_good", q, 0, &l);
    ck_assert_ptr_null(l.error);
    ck_assert_double_eq(l.score, 25);
    ck_assert_int_eq(l.viable, 0);
    ck_assert_uint_eq(l.n_unmet, 1);
    ck_assert_str_eq(l.unmet[0], "the council must accept the judgement");
    ck_assert_ptr_null(l.partner_id);
    imv_result_clear(&l);
    /* Score-only: the same score and viability, no reason texts. */
    score_with(w, reg, "lua_good", q, IMV_VIEW_SCORE_ONLY, &l);
    ck_assert_msg(l.error == NULL, "%s", l.error);
    ck_assert_double_eq(l.score, 25);
    ck_assert_int_eq(l.viable, 0);
    ck_assert_uint_eq(l.n_reasons, 0);
    ck_assert_uint_eq(l.n_risks, 0);
    imv_result_clear(&l);
    imv_profile_free(q);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

START_TEST(lua__profile_table_holds_the_profile)
{
    const char *json =
        "{\"format\": \"imeval-profile/1\", \"id\": \"view-test\", \"name\": \"View Test\","
        " \"as_of\": \"2014-03\", \"size\": {\"child_population\": 30000},"
        " \"ofsted\": {\"grade\": \"adequate\", \"previous\": [\"inadequate\", \"good\"]},"
        " \"ratings\": {\"senior_leadership\": 1.5, \"middle_leadership\": 2,"
        "  \"leadership_stability\": 2, \"political_commitment\": 2, \"corporate_leadership\": 2,"
        "  \"acceptance\": 2, \"governance\": 2, \"partnerships\": {\"low\": 1, \"high\": 3},"
        "  \"self_assessment\": 2, \"workforce_stability\": 2, \"financial_resilience\": 2,"
        "  \"failure_extent\": {\"low\": 2, \"mode\": 3, \"high\": 4}, \"initial_response\": 2},"
        " \"facts\": {\"agency_rate\": 0.3},"
        " \"current_intervention\": {\"model\": \"improvement_board\", \"since\": \"2013\"},"
        " \"partners\": [{\"id\": \"hampshire\", \"grade\": \"good\", \"neighbouring\": true}]}";
    cJSON *j = cJSON_Parse(json);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_msg(imv_profile_from_json(j, "v.json", 1, 0, &p, &d) == 0, "%s", dump(&d));
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"view.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_result r;
    score_with(w, reg, "lua_view", p, 0, &r);
    ck_assert_msg(r.error == NULL, "%s", r.error);
    ck_assert_double_eq(r.score, 64);
    imv_result_clear(&r);
    /* p.brief is true in a brief call (a CSV), nil otherwise */
    score_with(w, reg, "lua_view", p, IMV_VIEW_BRIEF, &r);
    ck_assert_msg(r.error == NULL, "%s", r.error);
    ck_assert_double_eq(r.score, 65);
    imv_result_clear(&r);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_profile_free(p);
    imv_diags_free(&d);
    cJSON_Delete(j);
}
END_TEST

/* imeval.timeline replaced the same eight lines in the three bundled Lua
 * models: the fixture compares it with that code over 6,720 cases. */
START_TEST(lua__timeline_is_what_the_models_computed)
{
    imv_registry *reg = new_registry(0, CAP);
    static const char *const names[] = {"timeline.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("t", 2, NULL);
    imv_result r;
    score_with(w, reg, "lua_timeline", p, 0, &r);
    ck_assert_msg(r.error == NULL, "%s", r.error);
    ck_assert_double_eq(r.score, 64);
    imv_result_clear(&r);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* ---- errors at load ----------------------------------------------------------------- */

START_TEST(lua__syntax_error_at_load)
{
    const char *m = load_refused("syntax.lua", BUDGET);
    ck_assert_msg(strstr(m, "syntax.lua:4:") != NULL, "%s", m);
    ck_assert_msg(strstr(m, "Lua error") != NULL, "%s", m);
}
END_TEST

START_TEST(lua__other_load_errors)
{
    const char *m = load_refused("load_error.lua", BUDGET);
    ck_assert_msg(strstr(m, "load_error.lua:3:") && strstr(m, "attempt to index a nil value"), "%s",
                  m);
    m = load_refused("not_table.lua", BUDGET);
    ck_assert_msg(strstr(m, "must return a model table, it returned string"), "%s", m);
    m = load_refused("no_score.lua", BUDGET);
    ck_assert_msg(strstr(m, "no score function"), "%s", m);
    m = load_refused("no_id.lua", BUDGET);
    ck_assert_msg(strstr(m, "id must be a string, it is nil"), "%s", m);
    m = load_refused("bad_decl.lua", BUDGET);
    ck_assert_msg(strstr(m, "parameter w needs min <= default <= max, got 0 <= 9 <= 1"), "%s", m);
    /* The budget applies while the chunk runs, too. */
    double t0 = now();
    m = load_refused("load_loop.lua", BUDGET);
    ck_assert_msg(strstr(m, "instruction budget of 1000000 exceeded"), "%s", m);
    ck_assert_double_lt(now() - t0, 5);
    /* io is not there at load time either. */
    /* Regression: a second long direction was written past the buffer. */
    m = load_refused("long_directions.lua", BUDGET);
    ck_assert_msg(strstr(m, "directions: longer than 1023 bytes"), "%s", m);
    m = load_refused("load_forbidden.lua", BUDGET);
    ck_assert_msg(strstr(m, "attempt to index a nil value (global 'io')"), "%s", m);
}
END_TEST

/* Regression: reading the model table ran its metamethods outside a
 * protected call, and an __index that raised aborted imeval. */
START_TEST(lua__model_table_metamethod_errors_are_refused)
{
    const char *m = load_refused("index_error.lua", BUDGET);
    ck_assert_msg(strstr(m, "index_error.lua:6: no field score here"), "%s", m);
    /* The same in a worker's own state, made after the load. */
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"good.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    ck_assert_ptr_nonnull(w);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* Regression (heap use after free, seen by ASan): the parameter strings
 * a metamethod made were popped before the engine copied them. */
START_TEST(lua__declaration_strings_made_by_metamethods)
{
    imv_registry *reg = new_registry(50 * BUDGET, 32u << 20);
    static const char *const names[] = {"decl_metamethods.lua", NULL};
    load_ok(reg, names);
    imv_model *m = imv_registry_get(reg, 0);
    ck_assert_uint_eq(imv_model_param_count(m), 12);
    for (size_t i = 0; i < 12; i++) {
        char name[80], desc[120];
        snprintf(name, sizeof name, "weight_%zu_%s", i + 1,
                 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn");
        snprintf(desc, sizeof desc, "the weight of item %zu %s", i + 1,
                 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
        ck_assert_str_eq(imv_model_param(m, i)->name, name);
        ck_assert_str_eq(imv_model_param(m, i)->description, desc);
        ck_assert_double_eq(imv_model_param(m, i)->def, (double)(i + 1));
    }
    imv_registry_free(reg);
}
END_TEST

static int write_chunk(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    return fwrite(p, 1, n, ud) == n ? 0 : 1;
}

START_TEST(lua__bytecode_refused)
{
    /* Compile a valid model to bytecode with the real Lua, then try to
     * load it as a model. */
    lua_State *L = luaL_newstate();
    ck_assert_int_eq(luaL_loadstring(L, "return { id = 'bc', name = 'n', version = '1', "
                                        "summary = 's', evidence = 'e', "
                                        "score = function() return 1 end }"),
                     LUA_OK);
    char *path = script("good.lua"); /* makes the private directory */
    strcpy(strrchr(path, '/') + 1, "bytecode.lua");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lua_dump(L, write_chunk, f, 0), 0);
    fclose(f);
    lua_close(L);
    chmod(path, 0644);
    const char *m = load_refused_path(path, BUDGET);
    ck_assert_msg(strstr(m, "precompiled Lua bytecode is refused"), "%s", m);
    free(path);
}
END_TEST

/* ---- errors when scoring ------------------------------------------------------------- */

START_TEST(lua__runtime_error_is_that_models_error)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"good.lua", "runtime.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("low", 1, NULL);
    imv_evaluation e;
    ck_assert_int_eq(imv_evaluate(w, p, &e), IMV_EPLUGIN);
    const imv_result *bad = &e.results[index_of(reg, "lua_runtime")];
    const imv_result *good = &e.results[index_of(reg, "lua_good")];
    ck_assert_ptr_nonnull(bad->error);
    ck_assert_msg(strstr(bad->error, "runtime.lua:9: attempt to index a nil value"), "%s",
                  bad->error);
    ck_assert_int_eq(bad->has_score, 0);
    ck_assert_ptr_null(good->error);
    ck_assert_double_eq(good->score, 30);
    ck_assert_str_eq(imv_model_id(e.results[e.order[1]].model), "lua_runtime");
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    /* The same state scores the next profile normally. */
    p = make_profile("high", 3, NULL);
    ck_assert_int_eq(imv_evaluate(w, p, &e), IMV_OK);
    ck_assert_double_eq(e.results[index_of(reg, "lua_runtime")].score, 33);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* A model author sees how the failing line was reached: the frames of the
 * script, innermost first, on one line, without the host's C frames. */
START_TEST(lua__error_has_a_traceback)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"nested_error.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("low", 1, NULL);
    imv_result r;
    score_with(w, reg, "lua_nested", p, 0, &r);
    ck_assert_ptr_nonnull(r.error);
    const char *e = r.error;
    ck_assert_msg(strncmp(e, "Lua error: nested_error.lua:6: acceptance too low: 1", 52) == 0, "%s",
                  e);
    const char *tb = strstr(e, " (traceback: ");
    ck_assert_msg(tb != NULL, "%s", e);
    const char *helper = strstr(tb, "nested_error.lua:6: in ");
    const char *caller = strstr(tb, "nested_error.lua:10: in ");
    const char *score = strstr(tb, "nested_error.lua:17: in ");
    ck_assert_msg(helper && caller && score && helper < caller && caller < score, "%s", e);
    ck_assert_msg(strstr(e, "[C]") == NULL && strchr(e, '\n') == NULL, "%s", e);
    ck_assert_int_eq(e[strlen(e) - 1], ')');
    imv_result_clear(&r);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

START_TEST(lua__runaway_loop_stopped_by_the_budget)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"good.lua", "loop.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, NULL);
    for (int round = 0; round < 2; round++) {
        double t0 = now();
        imv_evaluation e;
        ck_assert_int_eq(imv_evaluate(w, p, &e), IMV_EPLUGIN);
        ck_assert_double_lt(now() - t0, 5);
        const imv_result *r = &e.results[index_of(reg, "lua_loop")];
        ck_assert_ptr_nonnull(r->error);
        ck_assert_msg(strstr(r->error, "Lua instruction budget of 1000000 exceeded"), "%s", r->error);
        ck_assert_ptr_null(e.results[index_of(reg, "lua_good")].error);
        ck_assert_double_eq(e.results[index_of(reg, "lua_good")].score, 50);
        ck_assert_str_eq(e.recommended, "lua_good");
        imv_evaluation_clear(&e);
    }
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

START_TEST(lua__loop_catching_the_budget_error_is_still_stopped)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"loop_pcall.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, NULL);
    double t0 = now();
    imv_result r;
    score_with(w, reg, "lua_loop_pcall", p, 0, &r);
    ck_assert_double_lt(now() - t0, 5);
    ck_assert_ptr_nonnull(r.error);
    ck_assert_msg(strstr(r.error, "instruction budget"), "%s", r.error);
    imv_result_clear(&r);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

START_TEST(lua__budget_is_per_call)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"busy.lua", NULL};
    load_ok(reg, names);
    imv_diags d;
    imv_diags_init(&d);
    /* About 2 instructions an iteration: 150000 uses a third of the budget,
     * 20 calls use six budgets' worth in total. */
    ck_assert_int_eq(imv_registry_set(reg, "lua_busy.n=150000", &d), 0);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, NULL);
    for (int i = 0; i < 20; i++) {
        imv_result r;
        score_with(w, reg, "lua_busy", p, 0, &r);
        ck_assert_msg(r.error == NULL, "call %d: %s", i, r.error);
        imv_result_clear(&r);
    }
    imv_worker_free(w);
    /* Ten times the budget in one call is stopped. */
    ck_assert_int_eq(imv_registry_set(reg, "lua_busy.n=5000000", &d), 0);
    w = imv_worker_new(reg);
    imv_result r;
    score_with(w, reg, "lua_busy", p, 0, &r);
    ck_assert_ptr_nonnull(r.error);
    ck_assert_ptr_nonnull(strstr(r.error, "instruction budget"));
    imv_result_clear(&r);
    imv_worker_free(w);
    imv_registry_free(reg);
    /* Budget 0 means no limit. */
    reg = new_registry(0, CAP);
    load_ok(reg, names);
    ck_assert_int_eq(imv_registry_set(reg, "lua_busy.n=5000000", &d), 0);
    w = imv_worker_new(reg);
    score_with(w, reg, "lua_busy", p, 0, &r);
    ck_assert_msg(r.error == NULL, "%s", r.error);
    imv_result_clear(&r);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_profile_free(p);
    imv_diags_free(&d);
}
END_TEST

START_TEST(lua__memory_bomb_stopped_by_the_cap)
{
    imv_registry *reg = new_registry(BUDGET * 100, CAP);
    static const char *const names[] = {"good.lua", "membomb.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, NULL);
    for (int round = 0; round < 3; round++) {
        imv_evaluation e;
        ck_assert_int_eq(imv_evaluate(w, p, &e), IMV_EPLUGIN);
        const imv_result *r = &e.results[index_of(reg, "lua_membomb")];
        ck_assert_ptr_nonnull(r->error);
        ck_assert_msg(strstr(r->error, "Lua memory cap of 2048 KiB exceeded"), "%s", r->error);
        ck_assert_ptr_null(e.results[index_of(reg, "lua_good")].error);
        ck_assert_double_eq(e.results[index_of(reg, "lua_good")].score, 50);
        imv_evaluation_clear(&e);
    }
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* ---- the sandbox -------------------------------------------------------------------- */

START_TEST(lua__forbidden_libraries_absent)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"sandbox.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, NULL);
    imv_result r;
    score_with(w, reg, "lua_sandbox", p, 0, &r);
    ck_assert_msg(r.error == NULL, "%s", r.error);
    char found[2000] = "";
    for (size_t i = 0; i < r.n_risks; i++) {
        strncat(found, r.risks[i], sizeof found - strlen(found) - 3);
        strcat(found, "; ");
    }
    ck_assert_msg(r.n_risks == 0, "reachable from a model: %s", found);
    /* The probe does see what is allowed (17 names), so a zero above is
     * not the probe failing to look. */
    ck_assert_uint_eq(r.n_reasons, 17);
    ck_assert_str_eq(r.reasons[0].text, "present: string.format");
    imv_result_clear(&r);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* ---- bad results -------------------------------------------------------------------- */

START_TEST(lua__bad_results_become_clear_errors)
{
    static const struct {
        const char *id, *text;
    } cases[] = {
        {"nan", "score of NaN"},
        {"inf", "score of infinity"},
        {"over", "score of 100.5, outside 0..100"},
        {"under", "score of -3, outside 0..100"},
        {"missing", "result score must be a number, it is nil"},
        {"wrongtype", "result score must be a number, it is string"},
        {"not-table", "score must return a table (or a number), it returned string"},
        {"nil", "score must return a table (or a number), it returned nil"},
        {"utf8", "not valid UTF-8"},
        {"huge", "longer than 2000 bytes"},
        {"reasons-type", "result reasons must be an array of tables"},
        {"reason-type", "result reasons[1] must be a table"},
        {"fields-type", "result reasons[1].fields[1] must be a string"},
        {"risk-type", "result risks[1] must be a string"},
        {"timeline-type", "result timeline.setup_months must be a number, it is string"},
        {"many-risks", "more than 200 risks"},
        {"error-field", "no data for this council"},
        {"meta", "gotcha from __index"},
        {"error-table", "error object is not a string"},
        {"two-tables", "score returned a table and a second value: only a number score"},
        {"unmet-type", "result unmet_preconditions must be a string or an array of strings"},
        {"unmet-item", "result unmet_preconditions[1] must be a string"},
        {"unmet-text-utf8", "precondition that is not valid UTF-8"},
        {"unmet-field-utf8", "precondition that is not valid UTF-8"},
    };
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"bad_result.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        imv_profile *p = make_profile(cases[i].id, 2, NULL);
        imv_result r;
        score_with(w, reg, "lua_bad_result", p, 0, &r);
        ck_assert_msg(r.error != NULL, "%s: accepted", cases[i].id);
        ck_assert_msg(strstr(r.error, cases[i].text) != NULL, "%s: expected \"%s\" in \"%s\"",
                      cases[i].id, cases[i].text, r.error);
        ck_assert_int_eq(r.has_score, 0);
        ck_assert_int_eq(r.viable, 0);
        imv_result_clear(&r);
        imv_profile_free(p);
    }
    /* After all that, an ordinary profile still scores. */
    imv_profile *p = make_profile("ordinary", 2, NULL);
    imv_result r;
    score_with(w, reg, "lua_bad_result", p, 0, &r);
    ck_assert_msg(r.error == NULL, "%s", r.error);
    ck_assert_double_eq(r.score, 55);
    imv_result_clear(&r);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* A score-only call may answer with two values, the score and its unmet
 * preconditions (or nil): the same score and viability as the table of a
 * full call; and one unmet precondition may be a text alone, in either. */
START_TEST(lua__score_and_unmet_as_two_values)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"two_values.lua", NULL};
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    static const double acc[] = {0.5, 3, 0.5, 3};
    static const char *const ids[] = {"list", "list", "text", "text"};
    for (int k = 0; k < 4; k++) {
        int i = k % 2;
        imv_profile *p = make_profile(ids[k], acc[k], NULL);
        imv_result full, quick;
        score_with(w, reg, "lua_two_values", p, 0, &full);
        score_with(w, reg, "lua_two_values", p, IMV_VIEW_SCORE_ONLY, &quick);
        ck_assert_msg(full.error == NULL && quick.error == NULL, "%s / %s", full.error, quick.error);
        ck_assert_double_eq(quick.score, 10 * acc[i]);
        ck_assert_double_eq(quick.score, full.score);
        ck_assert_uint_eq(quick.n_unmet, i == 0 ? 1 : 0);
        ck_assert_uint_eq(quick.n_unmet, full.n_unmet);
        ck_assert_int_eq(quick.viable, i == 1);
        ck_assert_int_eq(quick.viable, full.viable);
        if (i == 0)
            ck_assert_str_eq(full.unmet[0], "the council must accept the judgement");
        imv_result_clear(&full);
        imv_result_clear(&quick);
        imv_profile_free(p);
    }
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* ---- parameters --------------------------------------------------------------------- */

START_TEST(lua__parameters_can_be_set)
{
    imv_registry *reg = new_registry(BUDGET, CAP);
    static const char *const names[] = {"good.lua", NULL};
    load_ok(reg, names);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_set(reg, "lua_good.weight=5", &d), 0);
    ck_assert_int_eq(imv_registry_set(reg, "lua_good.weight=21", &d), IMV_EINVAL);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "lua_good.weight: 21 is outside its range 0..20"));
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile("p", 3, NULL);
    imv_result r;
    score_with(w, reg, "lua_good", p, 0, &r);
    ck_assert_double_eq(r.score, 5 * 3 + 20);
    imv_result_clear(&r);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

/* pairs() iterates in sorted key order (numbers, strings, booleans), the
 * same in every fresh state, although Lua seeds each state's hash
 * differently: output must be byte-identical run to run. */
START_TEST(lua__pairs_order_is_sorted_and_repeatable)
{
    static const char *names[] = {"pairs_order.lua", NULL};
    char first[2000] = "";
    for (int round = 0; round < 4; round++) {
        imv_registry *reg = new_registry(1000000, CAP);
        load_ok(reg, names);
        imv_worker *w = imv_worker_new(reg);
        imv_profile *p = make_profile("order", 2, NULL);
        imv_result r;
        score_with(w, reg, "pairs_order", p, 0, &r);
        ck_assert_msg(r.error == NULL, "%s", r.error);
        ck_assert_uint_eq(r.n_reasons, 1);
        if (round == 0) {
            snprintf(first, sizeof first, "%s", r.reasons[0].text);
            ck_assert_str_eq(first, "1 2.5 3 acceptance alpha corporate_leadership failure_extent "
                                    "financial_resilience governance initial_response "
                                    "leadership_stability middle_leadership partnerships "
                                    "political_commitment self_assessment senior_leadership "
                                    "workforce_stability zeta true");
        } else {
            ck_assert_str_eq(r.reasons[0].text, first);
        }
        imv_result_clear(&r);
        imv_profile_free(p);
        imv_worker_free(w);
        imv_registry_free(reg);
    }
    remove_priv_dir();
}
END_TEST

/* The draws of one authority reuse one profile table, and p.rules is part
 * of it (plugins/lua/history.c): each score-only call must see the rules
 * the full call (which builds its own table) sees, and a new profile its
 * own rules, not the last one's. */
static imv_profile *rules_profile(const char *id, const char *grade, const char *previous,
                                  double acceptance)
{
    imv_profile *p = make_profile(id, acceptance, NULL);
    if (previous) {
        char *text = tu_profile_json(id, grade, 2);
        cJSON *j = cJSON_Parse(text);
        cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(j, "ratings"), "acceptance",
                                               cJSON_CreateNumber(acceptance));
        cJSON_AddItemToObject(cJSON_GetObjectItem(j, "ofsted"), "previous", cJSON_Parse(previous));
        imv_diags d;
        imv_diags_init(&d);
        imv_profile_free(p);
        p = NULL;
        ck_assert_int_eq(imv_profile_from_json(j, "t.json", 1, 0, &p, &d), 0);
        imv_diags_free(&d);
        cJSON_Delete(j);
        free(text);
    }
    return p;
}

START_TEST(lua__rules_in_draws_are_fresh_and_right)
{
    static const char *names[] = {"rules_memo.lua", NULL};
    imv_registry *reg = new_registry(BUDGET, CAP);
    load_ok(reg, names);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *ps[2] = {rules_profile("memo-a", "inadequate", "[\"inadequate\",\"good\"]", 1),
                          rules_profile("memo-b", "good", NULL, 3)};
    double full[2];
    for (int k = 0; k < 2; k++) {
        imv_result r;
        score_with(w, reg, "rules_memo", ps[k], 0, &r);
        ck_assert_msg(r.error == NULL, "%s", r.error);
        full[k] = r.score;
        imv_result_clear(&r);
    }
    ck_assert_msg(full[0] != full[1], "the two profiles should have different rules");
    /* a, a, b, b, a: the memo kept, replaced, and replaced again */
    static const int order[] = {0, 0, 1, 1, 0, 0};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        imv_result r;
        score_with(w, reg, "rules_memo", ps[order[i]], IMV_VIEW_SCORE_ONLY, &r);
        ck_assert_msg(r.error == NULL, "%s", r.error);
        ck_assert_msg(r.score == full[order[i]], "call %zu: %.17g, computed %.17g", i, r.score,
                      full[order[i]]);
        imv_result_clear(&r);
    }
    imv_profile_free(ps[0]);
    imv_profile_free(ps[1]);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lua");
    TCase *tc = tcase_create("lua");
    tcase_set_timeout(tc, 20);
    tcase_add_checked_fixture(tc, NULL, remove_priv_dir);
    tcase_add_test(tc, lua__good_script_declares_everything);
    tcase_add_test(tc, lua__good_script_result_equals_the_c_plugin);
    tcase_add_test(tc, lua__profile_table_holds_the_profile);
    tcase_add_test(tc, lua__timeline_is_what_the_models_computed);
    tcase_add_test(tc, lua__syntax_error_at_load);
    tcase_add_test(tc, lua__other_load_errors);
    tcase_add_test(tc, lua__bytecode_refused);
    tcase_add_test(tc, lua__model_table_metamethod_errors_are_refused);
    tcase_add_test(tc, lua__declaration_strings_made_by_metamethods);
    tcase_add_test(tc, lua__runtime_error_is_that_models_error);
    tcase_add_test(tc, lua__error_has_a_traceback);
    tcase_add_test(tc, lua__runaway_loop_stopped_by_the_budget);
    tcase_add_test(tc, lua__loop_catching_the_budget_error_is_still_stopped);
    tcase_add_test(tc, lua__budget_is_per_call);
    tcase_add_test(tc, lua__memory_bomb_stopped_by_the_cap);
    tcase_add_test(tc, lua__forbidden_libraries_absent);
    tcase_add_test(tc, lua__bad_results_become_clear_errors);
    tcase_add_test(tc, lua__score_and_unmet_as_two_values);
    tcase_add_test(tc, lua__parameters_can_be_set);
    tcase_add_test(tc, lua__pairs_order_is_sorted_and_repeatable);
    tcase_add_test(tc, lua__rules_in_draws_are_fresh_and_right);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
