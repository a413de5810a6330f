/*
 * check_luajit.c - the Lua host compiled against LuaJIT (the host of
 * build/imeval-luajit), linked with the JIT host objects instead of
 * libimeval.a's Lua 5.4 ones (see the Makefile).
 *
 * What it must hold under the JIT: the sandbox reaches nothing the 5.4
 * one does not (nor jit, ffi or bit), bytecode is refused, a runaway loop
 * in a score-only draw ends the worker with IMV_JIT_OVERRUN_EXIT, the
 * memory cap ends it with IMV_JIT_MEMORY_EXIT, and everything it cannot vouch for is declined
 * rather than scored: errors, odd results, full calls.  Its Lua
 * imeval.term, clamp, base and fit_part agree with the C ones on any
 * arguments.
 * (tests/e2e/luajit_identity.sh compares its scores with the 5.4 host's.)
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <signal.h>
#include <time.h>

#include "../core/internal.h"
#include "../plugins/jit_worker.h"
#include "../plugins/lua/lua_aux.h"
#include "../plugins/lua/lua_host.h"
#include "testutil.h"

#define CAP (2u << 20)
/* A budget large enough that no ordinary call is declined for its time
 * (250 ms a call may take), so that the tests of what is declined for its
 * shape do not depend on the machine's load; jit__runaway_loop_ends_the_worker
 * tests the default budget's timing. */
#define BIG_BUDGET 10000000000L

typedef struct jm {
    imv_model m;
    imv_limits lim;
    void *inst;
} jm;

/* Load tests/plugins/lua/NAME with the JIT host and make an instance
 * whose state may take cap bytes. */
static jm *load_capped(const char *name, long budget, size_t cap)
{
    jm *j = calloc(1, sizeof *j);
    imv_limits_default(&j->lim);
    j->lim.lua_instructions = budget;
    j->lim.lua_memory = cap;
    j->m.limits = &j->lim;
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/lua/%s", TU_FIXTURE_SRC, name);
    int rc = imv_lua_load(&j->m, path, &j->lim, err, sizeof err);
    ck_assert_msg(rc == IMV_OK, "%s: %s", name, err);
    rc = j->m.be->instance_new(&j->m, &j->inst, err, sizeof err);
    ck_assert_msg(rc == IMV_OK, "%s: %s", name, err);
    return j;
}

static jm *load(const char *name, long budget)
{
    return load_capped(name, budget, CAP);
}

static void unload(jm *j)
{
    j->m.be->instance_free(j->inst);
    imv_model_free(&j->m);
    free(j);
}

/* A view of profile id with every rating at acc; score-only unless full. */
static void view(imv_profile_view *v, const char *id, double acc, int full)
{
    memset(v, 0, sizeof *v);
    v->struct_size = sizeof *v;
    v->id = id;
    v->grade = IMV_G_INADEQUATE;
    v->child_population = v->children_in_care = IMV_UNKNOWN;
    v->intervention_months = v->intervention_expected_months = IMV_UNKNOWN;
    for (int i = 0; i < IMV_R_COUNT; i++)
        v->ratings[i] = acc;
    v->flags = full ? 0 : IMV_VIEW_SCORE_ONLY;
}

/* Score n views in one batch with the model's defaults. */
static void batch(jm *j, const imv_profile_view *v, size_t n, imv_result *r)
{
    const imv_profile_view *vp[64];
    const double *pp[64];
    imv_result *rp[64];
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++) {
        vp[i] = &v[i];
        pp[i] = j->m.values;
        memset(&r[i], 0, sizeof r[i]);
        imv_result_reset(&r[i], &j->m, (v[i].flags & IMV_VIEW_SCORE_ONLY) != 0);
        rp[i] = &r[i];
    }
    j->m.be->score_batch(&j->m, j->inst, vp, pp, n, rp);
}

/* ---- the sandbox ------------------------------------------------------------------- */

START_TEST(jit__sandbox_reaches_nothing_forbidden)
{
    jm *j = load("jit_probe.lua", BIG_BUDGET);
    imv_profile_view v[2];
    imv_result r[2];
    view(&v[0], "p", 3, 0);
    view(&v[1], "p", 2, 0);
    batch(j, v, 2, r);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(!r[i].declined && r[i].error == NULL, "probe declined or failed: %s",
                      r[i].error ? r[i].error : "declined");
        /* 0 forbidden names, and the 17 allowed ones seen */
        ck_assert_msg(fabs(r[i].score - 0.017) < 1e-9 && r[i].n_unmet == 0,
                      "probe found %zu forbidden names (score %g): run it under the 5.4 host's "
                      "check_lua probe to see which",
                      r[i].n_unmet, r[i].score);
        imv_result_clear(&r[i]);
    }
    unload(j);
}
END_TEST

/* A script that is LuaJIT bytecode is refused, as 5.4 bytecode is, and a
 * script reaching for io at load fails to load. */
START_TEST(jit__bytecode_and_forbidden_loads_refused)
{
    char *path = tu_write_temp("\033LJ\002\000fake", 9, ".lua");
    imv_limits lim;
    imv_limits_default(&lim);
    imv_model m;
    memset(&m, 0, sizeof m);
    m.limits = &lim;
    char err[1024] = "";
    ck_assert_int_eq(imv_lua_load(&m, path, &lim, err, sizeof err), IMV_EPLUGIN);
    ck_assert_msg(strstr(err, "bytecode") != NULL, "%s", err);
    imv_model_free(&m);
    unlink(path);
    free(path);
    char p2[512];
    snprintf(p2, sizeof p2, "%s/lua/load_forbidden.lua", TU_FIXTURE_SRC);
    memset(&m, 0, sizeof m);
    m.limits = &lim;
    ck_assert_int_ne(imv_lua_load(&m, p2, &lim, err, sizeof err), IMV_OK);
    ck_assert_msg(strstr(err, "io") != NULL, "%s", err);
    imv_model_free(&m);
}
END_TEST

/* The script runs interpreted, where the count hook holds: an endless
 * loop at load is stopped by the budget, not left to the JIT. */
START_TEST(jit__loop_at_load_stopped_by_the_budget)
{
    imv_limits lim;
    imv_limits_default(&lim);
    lim.lua_instructions = 1000000L;
    imv_model m;
    memset(&m, 0, sizeof m);
    m.limits = &lim;
    char path[512], err[1024] = "";
    snprintf(path, sizeof path, "%s/lua/load_loop.lua", TU_FIXTURE_SRC);
    ck_assert_int_eq(imv_lua_load(&m, path, &lim, err, sizeof err), IMV_EPLUGIN);
    ck_assert_msg(strstr(err, "budget") != NULL, "%s", err);
    imv_model_free(&m);
}
END_TEST

/* ---- the CPU allowance --------------------------------------------------------------- */

/* Run a batch of the script in a child process, as the worker would; its
 * exit status (or -signal), waiting at most a generous minute. */
static int batch_in_child(const char *name, long budget)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        jm *j = load(name, budget);
        imv_profile_view v[16];
        imv_result r[16];
        for (int i = 0; i < 16; i++)
            view(&v[i], "p", 2, 0);
        batch(j, v, 16, r);
        _exit(0); /* the batch came back: the loop was not stopped */
    }
    int status = 0;
    for (int waited = 0; waited < 1200; waited++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ck_abort_msg("%s: the batch was not stopped within a minute", name);
    return -1;
}

START_TEST(jit__runaway_loop_ends_the_worker)
{
    ck_assert_int_eq(batch_in_child("loop.lua", 10000000L), IMV_JIT_OVERRUN_EXIT);
    ck_assert_int_eq(batch_in_child("loop_pcall.lua", 10000000L), IMV_JIT_OVERRUN_EXIT);
}
END_TEST

/* ---- declined, not scored ------------------------------------------------------------ */

/* The cap holds: a batch that meets it ends the worker (its views are
 * declined by the parent, and the 5.4 reference gives the memory error).
 * With a budget whose CPU allowance (16 x 0.25 s) the bomb cannot use up
 * first: at the default one (5 ms) a loaded machine ended it with 86. */
START_TEST(jit__memory_cap_ends_the_worker)
{
    ck_assert_int_eq(batch_in_child("membomb.lua", BIG_BUDGET), IMV_JIT_MEMORY_EXIT);
}
END_TEST

/* An error in one draw declines that draw only: the loop goes on with
 * the next, and the others are scored. */
START_TEST(jit__errors_decline_their_draw_only)
{
    jm *j = load("runtime.lua", BIG_BUDGET);
    imv_profile_view v[6];
    imv_result r[6];
    for (int i = 0; i < 6; i++)
        view(&v[i], "p", i % 2 ? 1 : 3, 0); /* acceptance 1 raises */
    batch(j, v, 6, r);
    for (int i = 0; i < 6; i++) {
        ck_assert_ptr_null(r[i].error);
        if (i % 2)
            ck_assert_msg(r[i].declined && !r[i].has_score, "draw %d", i);
        else
            ck_assert_msg(!r[i].declined && r[i].has_score && r[i].score == 33, "draw %d", i);
        imv_result_clear(&r[i]);
    }
    unload(j);
}
END_TEST

/* Full calls are not the JIT host's: declined. */
START_TEST(jit__full_calls_declined)
{
    jm *j = load("good.lua", BIG_BUDGET);
    imv_profile_view v[3];
    imv_result r[3];
    view(&v[0], "p", 3, 0);
    view(&v[1], "p", 3, 1);
    view(&v[2], "p", 3, 0);
    batch(j, v, 3, r);
    ck_assert(!r[0].declined && r[0].score == 50 && r[0].setup_months == 2 &&
              r[0].months_to_fair == 20 && r[0].months_to_good == IMV_UNKNOWN);
    ck_assert(r[1].declined && !r[1].has_score && r[1].n_reasons == 0);
    ck_assert(!r[2].declined && r[2].score == 50);
    for (int i = 0; i < 3; i++)
        imv_result_clear(&r[i]);
    unload(j);
}
END_TEST

/* Every result of bad_result.lua: those the 5.4 reader reads in a
 * score-only call (the parts it skips there may be wrong) are scored as it
 * would score them; everything else is declined. */
START_TEST(jit__odd_results_declined)
{
    static const struct {
        const char *id;
        double score; /* NAN: declined */
    } cases[] = {
        {"nan", NAN},
        {"inf", NAN},
        {"over", 100.5},
        {"under", -3},
        {"missing", NAN},
        {"wrongtype", NAN},
        {"not-table", NAN},
        {"nil", NAN},
        {"utf8", 50},
        {"huge", 50},
        {"reasons-type", 50},
        {"reason-type", 50},
        {"fields-type", 50},
        {"risk-type", 50},
        {"timeline-type", NAN},
        {"many-risks", 50},
        {"error-field", NAN},
        {"meta", NAN},
        {"error-table", NAN},
        {"fine", 55},
        {"two-tables", NAN},
        {"unmet-type", NAN},
        {"unmet-item", NAN},
        {"unmet-text-utf8", NAN},
        {"unmet-field-utf8", NAN},
        {"unmet-text", 50},
        {"unmet-field-text", 50},
    };
    jm *j = load("bad_result.lua", BIG_BUDGET);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        imv_profile_view v[2];
        imv_result r[2];
        view(&v[0], cases[k].id, 3, 0);
        view(&v[1], cases[k].id, 2, 0);
        batch(j, v, 2, r);
        for (int i = 0; i < 2; i++) {
            ck_assert_ptr_null(r[i].error);
            if (isnan(cases[k].score))
                ck_assert_msg(r[i].declined && !r[i].has_score, "%s not declined", cases[k].id);
            else
                ck_assert_msg(!r[i].declined && r[i].score == cases[k].score, "%s: %g%s",
                              cases[k].id, r[i].score, r[i].declined ? " declined" : "");
            imv_result_clear(&r[i]);
        }
    }
    unload(j);
}
END_TEST

/* A number score followed by its unmet preconditions is taken as the 5.4
 * host takes it: the score, and the list's count, or 1 for a text alone. */
START_TEST(jit__score_and_unmet_as_two_values)
{
    jm *j = load("two_values.lua", BIG_BUDGET);
    imv_profile_view v[4];
    imv_result r[4];
    view(&v[0], "list", 0.5, 0);
    view(&v[1], "list", 3, 0);
    view(&v[2], "text", 0.5, 0);
    view(&v[3], "text", 3, 0);
    batch(j, v, 4, r);
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(!r[i].declined && r[i].error == NULL, "view %d declined", i);
        ck_assert_double_eq(r[i].score, 10 * v[i].ratings[IMV_R_ACCEPTANCE]);
        ck_assert_uint_eq(r[i].n_unmet, i % 2 == 0 ? 1 : 0);
        imv_result_clear(&r[i]);
    }
    unload(j);
}
END_TEST

/* Closing a state whose collector has run full cycles is safe: ffi's
 * finalizer table, which lua_close walks, must outlive the loop's making
 * (LuaJIT issue 1168; plugins/lua/jit.c anchors the module).  Run in a
 * child, since the failure is a crash; before the anchor, a SIGBUS or
 * SIGSEGV at unload in most runs. */
START_TEST(jit__state_closes_after_collections)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        jm *j = load("jit_churn.lua", BIG_BUDGET);
        imv_profile_view v[64];
        imv_result r[64];
        for (int round = 0; round < 4; round++) {
            for (size_t i = 0; i < 64; i++)
                view(&v[i], "churn", 0.01 * (double)(i + 64 * round), 0);
            batch(j, v, 64, r);
            for (size_t i = 0; i < 64; i++) {
                if (r[i].declined || r[i].score != v[i].ratings[IMV_R_ACCEPTANCE])
                    _exit(3);
                imv_result_clear(&r[i]);
            }
        }
        unload(j);
        _exit(0);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(!WIFSIGNALED(st), "the worker died of signal %d", WTERMSIG(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

/* A batch of views of two profiles with varied parameters gives, view by
 * view, what scoring each view alone gives. */
START_TEST(jit__batch_equals_single_calls)
{
    jm *j = load("good.lua", BIG_BUDGET);
    imv_profile_view v[8];
    imv_result r[8], one;
    memset(r, 0, sizeof r);
    memset(&one, 0, sizeof one);
    double w[8][2];
    const imv_profile_view *vp[8];
    const double *pp[8];
    imv_result *rp[8];
    for (int i = 0; i < 8; i++) {
        view(&v[i], i < 5 ? "a" : "b", 0.5 + 0.5 * i, 0);
        w[i][0] = 1 + i;
        w[i][1] = i % 3 ? 5 : -2;
        vp[i] = &v[i];
        pp[i] = w[i];
        imv_result_reset(&r[i], &j->m, 1);
        rp[i] = &r[i];
    }
    j->m.be->score_batch(&j->m, j->inst, vp, pp, 8, rp);
    for (int i = 0; i < 8; i++) {
        imv_result_reset(&one, &j->m, 1);
        j->m.be->score(&j->m, j->inst, &v[i], 0, w[i], &one);
        double want = w[i][0] * v[i].ratings[IMV_R_ACCEPTANCE] + w[i][1];
        ck_assert_msg(!r[i].declined && r[i].score == want && one.score == want, "view %d", i);
        ck_assert_uint_eq(r[i].n_unmet, one.n_unmet);
        ck_assert_uint_eq(r[i].n_unmet, v[i].ratings[IMV_R_ACCEPTANCE] < 1 ? 1 : 0);
        imv_result_clear(&one);
        imv_result_clear(&r[i]);
    }
    unload(j);
}
END_TEST

/* Draws scored in place (score_draws: the ratings and the parameters as
 * arrays, as a request of draws brings them) give, draw by draw, what the
 * batch of views gives: with one set of parameters and with a set a
 * draw; a draw whose call raises is declined alone, the rest scored. */
START_TEST(jit__draws_in_place_equal_the_batch)
{
    jm *j = load("good.lua", BIG_BUDGET);
    ck_assert_ptr_nonnull(j->m.be->score_draws);
    enum { N = 40 };
    static double ratings[N][IMV_R_COUNT], w[N][2];
    imv_profile_view base, v[N];
    view(&base, "a", 2, 0);
    for (int i = 0; i < N; i++) {
        v[i] = base;
        for (int k = 0; k < IMV_R_COUNT; k++)
            ratings[i][k] = v[i].ratings[k] = fmod(0.37 * i + 0.11 * k, 4);
        w[i][0] = 1 + i % 7;
        w[i][1] = i % 3 ? 5 : -2;
    }
    for (int vary = 0; vary < 2; vary++) {
        imv_draw_answer a[N];
        j->m.be->score_draws(&j->m, j->inst, &base, &ratings[0][0], j->m.values,
                             vary ? &w[0][0] : NULL, N, a);
        for (int i = 0; i < N; i++) {
            imv_result r;
            memset(&r, 0, sizeof r);
            imv_result_reset(&r, &j->m, 1);
            imv_result *rp = &r;
            const imv_profile_view *vp = &v[i];
            const double *pp = vary ? w[i] : j->m.values;
            j->m.be->score_batch(&j->m, j->inst, &vp, &pp, 1, &rp);
            double acc = ratings[i][IMV_R_ACCEPTANCE];
            double want = vary ? w[i][0] * acc + w[i][1] : 10 * acc + 20;
            ck_assert_msg(!a[i].declined && a[i].has_score && a[i].score == want,
                          "vary %d draw %d: %g, not %g", vary, i, a[i].score, want);
            ck_assert_msg(!r.declined && r.score == a[i].score, "vary %d draw %d", vary, i);
            ck_assert_uint_eq(a[i].n_unmet, acc < 1 ? 1 : 0);
            ck_assert_uint_eq(a[i].n_unmet, r.n_unmet);
            ck_assert(a[i].setup_months == 2 && a[i].months_to_fair == 20);
            ck_assert(a[i].months_to_good == IMV_UNKNOWN);
            imv_result_clear(&r);
        }
    }
    unload(j);
    /* runtime.lua raises at acceptance 1 */
    j = load("runtime.lua", BIG_BUDGET);
    imv_draw_answer a[6];
    for (int i = 0; i < 6; i++)
        for (int k = 0; k < IMV_R_COUNT; k++)
            ratings[i][k] = i % 2 ? 1 : 3;
    j->m.be->score_draws(&j->m, j->inst, &base, &ratings[0][0], j->m.values, NULL, 6, a);
    for (int i = 0; i < 6; i++) {
        if (i % 2)
            ck_assert_msg(a[i].declined && !a[i].has_score, "draw %d", i);
        else
            ck_assert_msg(!a[i].declined && a[i].has_score && a[i].score == 33, "draw %d", i);
    }
    /* a base that is not score-only: nothing vouched for */
    base.flags = 0;
    j->m.be->score_draws(&j->m, j->inst, &base, &ratings[0][0], j->m.values, NULL, 6, a);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(a[i].declined && !a[i].has_score, "full draw %d", i);
    unload(j);
}
END_TEST

/* The compat luaL_requiref leaves each library's module on the stack and
 * as its global: luaopen_jit returns the architecture's name, not the
 * module, which the shim once made the global `jit` (so `jit.opt` was
 * nil while the sandbox was built). */
START_TEST(jit__requiref_keeps_the_modules)
{
    lua_State *L = luaL_newstate();
    ck_assert_ptr_nonnull(L);
    static const struct {
        const char *name;
        lua_CFunction f;
    } libs[] = {{"_G", luaopen_base},
                {LUA_STRLIBNAME, luaopen_string},
                {LUA_MATHLIBNAME, luaopen_math},
                {LUA_JITLIBNAME, luaopen_jit}};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].f, 1);
        ck_assert_msg(lua_istable(L, -1), "%s: a %s", libs[i].name, luaL_typename(L, -1));
        lua_getglobal(L, libs[i].name);
        ck_assert_msg(lua_rawequal(L, -1, -2), "%s: the global is another value", libs[i].name);
        lua_pop(L, 2);
    }
    lua_getglobal(L, "jit");
    lua_getfield(L, -1, "opt");
    ck_assert(lua_istable(L, -1));
    lua_close(L);
}
END_TEST

/* ---- the Lua term, clamp, base, fit_part and worst_rate ---------------------------------------------- */

/* Calls C.f and J.f (the C function and its Lua stand-in) with the same
 * random arguments, many times, and returns a description of the first
 * disagreement (in status, count, type or bits of a result), or nil. */
static const char agree[] =
    "local C, J, seed = ...\n"
    "local x = seed\n"
    /* MINSTD: its products stay below 2^53, exact in doubles (an LCG
     * past that loses its low bits, and x % n stuck at one value) */
    "local function rnd(n) x = (x * 48271) % 2147483647; return x % n + 1 end\n"
    "local pool = { 0/0, -(0/0), 1/0, -1/0, 0, -0.0, 1, -1, 0.5, -0.05, 0.05, 0.049999,\n"
    "  1e308, -1e308, 5e-324, 2^53, 2^53 + 1, 3, 100, 1e-300, '', 'a', 'up', '12', '1e2',\n"
    "  ' 7 ', '0x1p4', 'nan', true, false, {}, print }\n"
    "local NIL = #pool + 1\n"
    "local function show(v)\n"
    "  if type(v) == 'number' then return string.format('%a', v) end\n"
    "  return type(v) .. ':' .. tostring(v)\n"
    "end\n"
    "local function same(a, b)\n"
    "  if type(a) ~= type(b) then return false end\n"
    "  if type(a) == 'number' then return string.format('%a', a) == string.format('%a', b) end\n"
    "  return type(a) == 'table' or a == b\n"
    "end\n"
    "local function pack(ok, ...) return { n = select('#', ...), ok = ok, ... } end\n"
    "local function differ(name, args, n)\n"
    "  local a = pack(pcall(C[name], unpack(args, 1, n)))\n"
    "  local b = pack(pcall(J[name], unpack(args, 1, n)))\n"
    "  local bad = a.ok ~= b.ok or (a.ok and a.n ~= b.n)\n"
    "  for i = 1, a.ok and a.n or 0 do bad = bad or not same(a[i], b[i]) end\n"
    "  if not bad then return nil end\n"
    "  local s = {}\n"
    "  for i = 1, n do s[i] = show(args[i]) end\n"
    "  return name .. '(' .. table.concat(s, ', ') .. '): C ' .. tostring(a.ok) .. ' ' ..\n"
    "    show(a[1]) .. ' ' .. show(a[2]) .. ', Lua ' .. tostring(b.ok) .. ' ' .. show(b[1]) ..\n"
    "    ' ' .. show(b[2])\n"
    "end\n"
    "for _, name in ipairs({ 'term', 'clamp', 'base', 'fit_part' }) do\n"
    "  for k = 1, 40000 do\n"
    "    local n, args = rnd(9) - 1, {}\n"
    "    for i = 1, n do\n"
    "      local c = rnd(NIL)\n"
    "      if i == 1 and rnd(3) > 1 then c = NIL end\n"
    "      if (i == 2 or i == 4) and rnd(3) > 1 then c = rnd(20) end\n"
    "      if i == 3 and name == 'fit_part' and rnd(3) > 1 then c = 21 + rnd(3) end\n"
    "      if c ~= NIL then args[i] = pool[c] end\n"
    "    end\n"
    "    local d = differ(name, args, n)\n"
    "    if d then return d end\n"
    "  end\n"
    "end\n"
    /* worst_rate(p, above): p mostly a profile-like table whose facts
     * hold rates near above (or anything from the pool), above mostly a
     * number */
    "local RATES = { 'agency_rate', 'vacancy_rate', 'turnover_rate' }\n"
    "local function any() local c = rnd(NIL); if c ~= NIL then return pool[c] end end\n"
    "local function rate() if rnd(3) > 1 then return rnd(1000) / 2000 end return any() end\n"
    "for k = 1, 40000 do\n"
    "  local n, args = rnd(4) - 1, {}\n"
    "  local c = rnd(5)\n"
    "  if c == 1 then args[1] = any()\n"
    "  elseif c == 2 then args[1] = { facts = any() }\n"
    "  else\n"
    "    local f = {}\n"
    "    for _, key in ipairs(RATES) do if rnd(4) > 1 then f[key] = rate() end end\n"
    "    args[1] = { facts = f }\n"
    "  end\n"
    "  args[2] = rnd(4) > 1 and rnd(1000) / 2000 or any()\n"
    "  local d = differ('worst_rate', args, n)\n"
    "  if d then return d end\n"
    "end\n"
    "return nil\n";

/* The trace limits (jit.c's jit_limits) reach LuaJIT, which refuses any
 * it does not know, while the sandbox still holds jit.opt: at the default
 * cap and with none, but not under a cap too small for the traces they
 * let LuaJIT keep. */
START_TEST(jit__trace_limits_raised_where_they_fit)
{
    const struct {
        size_t cap;
        int tuned;
    } cases[] = {{(size_t)32 << 20, 1}, {0, 1}, {(size_t)64 << 20, 1}, {CAP, 0}, {(size_t)31 << 20, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jm *j = load_capped("good.lua", BIG_BUDGET, cases[i].cap);
        const lh_inst *I = j->inst;
        ck_assert_msg(I->jit_tuned == cases[i].tuned, "cap %zu bytes: tuned %d, expected %d",
                      cases[i].cap, I->jit_tuned, cases[i].tuned);
        unload(j);
    }
}
END_TEST

START_TEST(jit__lua_aux_functions_agree_with_c)
{
    lua_State *L = luaL_newstate();
    ck_assert_ptr_nonnull(L);
    luaL_openlibs(L);
    lua_newtable(L);
    imv_lua_open_aux(L); /* the C functions */
    lua_newtable(L);
    imv_lua_open_aux(L);
    imv_lua_jit_aux(L); /* the Lua ones, over them */
    ck_assert_int_eq(luaL_loadbuffer(L, agree, sizeof agree - 1, "=agree"), 0);
    lua_insert(L, 1);
    lua_pushinteger(L, 7);
    int st = lua_pcall(L, 3, 1, 0);
    ck_assert_msg(st == 0, "%s", lua_tostring(L, -1));
    ck_assert_msg(lua_isnil(L, -1), "disagree: %s", lua_tostring(L, -1));
    lua_close(L);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("luajit");
    TCase *t = tcase_create("host");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, jit__sandbox_reaches_nothing_forbidden);
    tcase_add_test(t, jit__bytecode_and_forbidden_loads_refused);
    tcase_add_test(t, jit__loop_at_load_stopped_by_the_budget);
    tcase_add_test(t, jit__runaway_loop_ends_the_worker);
    tcase_add_test(t, jit__memory_cap_ends_the_worker);
    tcase_add_test(t, jit__errors_decline_their_draw_only);
    tcase_add_test(t, jit__full_calls_declined);
    tcase_add_test(t, jit__odd_results_declined);
    tcase_add_test(t, jit__score_and_unmet_as_two_values);
    tcase_add_test(t, jit__batch_equals_single_calls);
    tcase_add_test(t, jit__draws_in_place_equal_the_batch);
    tcase_add_test(t, jit__state_closes_after_collections);
    tcase_add_test(t, jit__lua_aux_functions_agree_with_c);
    tcase_add_test(t, jit__requiref_keeps_the_modules);
    tcase_add_test(t, jit__trace_limits_raised_where_they_fit);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
