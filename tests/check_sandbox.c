/*
 * check_sandbox.c - a Lua model runs in a sandbox: it cannot read a file,
 * read the environment, run a process, load bytecode or text, reach the
 * full libraries through the string metatable or package.loaded, or see
 * another model's globals; the instruction budget, the charge for C work
 * and the memory cap stop it with a clear message, and the state is still
 * usable for the next profile.
 *
 * Each test writes a small script, loads it through the registry as a
 * researcher's model would be, and scores a profile with it.
 */
#include "testutil.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/imv-sandbox-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Write a model whose score function has `body`, with id `id`; top is
 * run when the script loads. */
static char *write_model(const char *id, const char *top, const char *body)
{
    char *path = malloc(256);
    snprintf(path, 256, "%s/%s.lua", dir, id);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "%s\n"
            "return { id = \"%s\", name = \"Sandbox test\", version = \"1\",\n"
            "  summary = \"s\", evidence = \"e\",\n"
            "  score = function(p, params)\n%s\nend }\n",
            top ? top : "", id, body);
    ck_assert_int_eq(fclose(f), 0);
    chmod(path, 0644);
    return path;
}

static imv_registry *new_registry(long budget, size_t memory)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 0;
    l.lua_instructions = budget;
    l.lua_memory = memory;
    return imv_registry_new(&l);
}

static imv_profile *profile(const char *id)
{
    char *json = tu_profile_json(id, "inadequate", 2);
    imv_profile *p = tu_profile_of_json(json);
    free(json);
    return p;
}

/* Score profile `pid` with every model of reg; return model `id`'s error
 * (caller frees) or NULL, and its score in *score. */
static char *score_with(imv_registry *reg, const char *id, const char *pid, double *score)
{
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = profile(pid);
    imv_evaluation e;
    imv_evaluate(w, p, &e);
    char *err = NULL;
    int seen = 0;
    for (size_t i = 0; i < e.n; i++) {
        const imv_result *r = &e.results[i];
        if (strcmp(imv_model_id(r->model), id) != 0)
            continue;
        seen = 1;
        err = r->error ? strdup(r->error) : NULL;
        if (score)
            *score = r->has_score ? r->score : -1;
    }
    ck_assert_msg(seen, "model %s not in the evaluation", id);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    return err;
}

/* A script whose score body must fail with `expect` in the message. */
static void expect_error(const char *body, const char *expect)
{
    make_dir();
    char *path = write_model("sandboxed", NULL, body);
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    char *err = score_with(reg, "sandboxed", "sb-1", NULL);
    ck_assert_msg(err != NULL, "no error for: %s", body);
    ck_assert_msg(strstr(err, expect) != NULL, "error \"%s\" lacks \"%s\" for: %s", err, expect,
                  body);
    free(err);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}

/* ---- nothing outside ------------------------------------------------------ */

START_TEST(sandbox__cannot_read_a_file)
{
    expect_error("local f = io.open('/etc/passwd') return 50", "global 'io'");
    expect_error("return dofile('/etc/passwd')", "global 'dofile'");
    expect_error("return loadfile('/etc/passwd')", "global 'loadfile'");
    expect_error("return require('io')", "global 'require'");
}
END_TEST

START_TEST(sandbox__cannot_read_the_environment_or_run_a_process)
{
    expect_error("return { score = #os.getenv('HOME') }", "global 'os'");
    expect_error("os.execute('touch /tmp/imv-pwned') return 50", "global 'os'");
    expect_error("io.popen('id') return 50", "global 'io'");
    expect_error("return package.loadlib('libc.so.6', 'system')", "global 'package'");
    expect_error("return debug.getregistry()", "global 'debug'");
    expect_error("collectgarbage('stop') return 50", "global 'collectgarbage'");
    /* print is imeval.log, shown only by --trace (tests/check_sdk.c). */
    expect_error("return coroutine.wrap(function() end)", "global 'coroutine'");
}
END_TEST

START_TEST(sandbox__cannot_load_code)
{
    expect_error("return load('return 50')()", "global 'load'");
    expect_error("return loadstring('return 50')()", "global 'loadstring'");
    expect_error("return string.dump(function() end)", "field 'dump'");
    /* Through the string metatable: it is the same trimmed table. */
    expect_error("return getmetatable('').__index.dump(function() end)", "field 'dump'");
    expect_error("local s = ('x') return s.dump(function() end)", "field 'dump'");
    /* Through the loaded-modules table: gone from the registry too. */
    expect_error("return package.loaded.io.open('/etc/passwd')", "global 'package'");
    /* rawget does not find what is not there. */
    expect_error("return rawget(_G, 'io').open('/etc/passwd')", "attempt to index a nil value");
    /* math.random would make a model not a function of its inputs. */
    expect_error("return math.random(100)", "field 'random'");
}
END_TEST

START_TEST(sandbox__string_metatable_is_the_trimmed_library)
{
    make_dir();
    char *path = write_model("meta", NULL,
                             "local mt = getmetatable('')\n"
                             "local ok = mt.__index == string and string.dump == nil\n"
                             "local names = 0\n"
                             "for k in pairs(string) do names = names + 1 end\n"
                             "return ok and names or 0");
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    double score = -1;
    char *err = score_with(reg, "meta", "sb-1", &score);
    ck_assert_msg(err == NULL, "%s", err);
    /* The 16 allowed string functions, no more. */
    ck_assert_double_eq(score, 16);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}
END_TEST

START_TEST(sandbox__precompiled_chunk_is_refused)
{
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/compiled.lua", dir);
    /* The start of a Lua 5.4 binary chunk: ESC "Lua" 0x54. */
    FILE *f = fopen(path, "wb");
    fwrite("\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08", 1, 15, f);
    fclose(f);
    chmod(path, 0644);
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_ne(imv_registry_load_file(reg, path, 0, &d), 0);
    ck_assert_uint_eq(imv_registry_count(reg), 0);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "precompiled Lua bytecode is refused"));
    /* A text chunk cannot smuggle one in either: load is gone, and the
     * host loads text only. */
    imv_diags_free(&d);
    imv_registry_free(reg);
    remove_dir();
}
END_TEST

/* ---- one state per model ---------------------------------------------------- */

START_TEST(sandbox__models_do_not_share_globals)
{
    make_dir();
    /* a_writer runs first (models are sorted by id): it sets globals at
     * load (in a call it may not: sandbox__globals_are_read_only_while_scoring),
     * and rewrites the shared-looking libraries in every call. */
    char *a = write_model("a_writer", "leak_at_load = 'from a'",
                          "string.upper = function() return 'pwned' end\n"
                          "getmetatable('').__index.lower = function() return 'pwned' end\n"
                          "math.floor = function() return 99 end\n"
                          "imeval.version = 'pwned'\n"
                          "return 50");
    char *b = write_model(
        "b_reader", NULL,
        "if leak ~= nil or leak_at_load ~= nil then error('saw a global of a_writer') end\n"
        "if ('x'):upper() ~= 'X' or ('Y'):lower() ~= 'y' then error('saw a_writer string functions') end\n"
        "if math.floor(1.5) ~= 1 then error('saw a_writer math') end\n"
        "if imeval.version == 'pwned' then error('saw a_writer imeval table') end\n"
        "return 60");
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, a, 0, &d), 0);
    ck_assert_int_eq(imv_registry_load_file(reg, b, 0, &d), 0);
    for (int round = 0; round < 2; round++) {
        double score = -1;
        char *err = score_with(reg, "b_reader", round ? "sb-2" : "sb-1", &score);
        ck_assert_msg(err == NULL, "%s", err);
        ck_assert_double_eq(score, 60);
        err = score_with(reg, "a_writer", "sb-1", &score);
        ck_assert_msg(err == NULL, "%s", err);
    }
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(a);
    free(b);
    remove_dir();
}
END_TEST

/* Output must not depend on which thread's state scored which profile
 * before: once loaded, a model's globals are read-only, and a write while
 * scoring is that call's error naming the global.  This model counted its
 * calls in a global and scored 1, 2, 3. */
START_TEST(sandbox__globals_are_read_only_while_scoring)
{
    const char *bodies[4] = {"calls = calls + 1 return calls", "last_seen = p.id return 1",
                             "_G.last_seen = p.id return 1",
                             "rawset(_G, 'last_seen', p.id) return 1"};
    const char *names[4] = {"calls", "last_seen", "last_seen", "last_seen"};
    for (int k = 0; k < 4; k++) {
        make_dir();
        char *path = write_model("stateful", "calls = 0", bodies[k]);
        imv_registry *reg = new_registry(1000000, 8u << 20);
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
        for (int round = 0; round < 2; round++) {
            char *err = score_with(reg, "stateful", "sb-1", NULL);
            char expect[120];
            snprintf(expect, sizeof expect, "assignment to global '%s' while scoring", names[k]);
            ck_assert_msg(err && strstr(err, expect), "%s: %s", bodies[k], err ? err : "(none)");
            ck_assert_msg(k == 3 || strstr(err, "stateful.lua:5:"), "no line: %s", err);
            free(err);
        }
        imv_diags_free(&d);
        imv_registry_free(reg);
        free(path);
        remove_dir();
    }
    /* Reading globals set at load, helpers defined there, rawget and
     * pairs over _G still work. */
    make_dir();
    char *path = write_model("reader", "base = 40\nfunction helper(x) return x + 1 end",
                             "local n = 0 for k in pairs(_G) do n = n + 1 end\n"
                             "if n < 10 or rawget(_G, 'base') ~= 40 then error('globals: ' .. n) end\n"
                             "return helper(base)");
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    double score = -1;
    char *err = score_with(reg, "reader", "sb-1", &score);
    ck_assert_msg(err == NULL, "%s", err);
    ck_assert_double_eq(score, 41);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}
END_TEST

/* ---- limits ---------------------------------------------------------------- */

/* A model that misbehaves only for profile "bad": after it is stopped,
 * the same state must score the next profile. */
static void expect_limit(const char *bad_body, long budget, size_t memory, const char *expect)
{
    make_dir();
    char body[1024];
    snprintf(body, sizeof body, "if p.id == 'bad' then\n%s\nend\nreturn 42", bad_body);
    char *path = write_model("limited", NULL, body);
    imv_registry *reg = new_registry(budget, memory);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_worker *w = imv_worker_new(reg);
    const char *ids[3] = {"good-1", "bad", "good-2"};
    for (int k = 0; k < 3; k++) {
        imv_profile *p = profile(ids[k]);
        imv_evaluation e;
        imv_evaluate(w, p, &e);
        ck_assert_uint_eq(e.n, 1);
        const imv_result *r = &e.results[0];
        if (k == 1) {
            ck_assert_msg(r->error != NULL, "not stopped: %s", bad_body);
            ck_assert_msg(strstr(r->error, expect) != NULL, "error \"%s\" lacks \"%s\"", r->error,
                          expect);
            ck_assert_int_eq(r->has_score, 0);
        } else {
            ck_assert_msg(r->error == NULL, "state unusable after a limit: %s", r->error);
            ck_assert_double_eq(r->score, 42);
        }
        imv_evaluation_clear(&e);
        imv_profile_free(p);
    }
    imv_worker_free(w);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}

START_TEST(limits__instruction_budget)
{
    expect_limit("while true do end", 100000, 8u << 20, "Lua instruction budget of 100000 exceeded");
    /* Catching the budget error and going on does not escape it. */
    expect_limit("for i = 1, 1000 do pcall(function() while true do end end) end", 100000, 8u << 20,
                 "instruction budget");
    /* Deep recursion ends in an error, not a crash. */
    expect_limit("local function f(n) return f(n + 1) + 1 end f(1)", 10000000, 8u << 20, "Lua");
}
END_TEST

START_TEST(limits__memory_cap)
{
    expect_limit("local s = 'x' while true do s = s .. s end", 0, 4u << 20,
                 "Lua memory cap of 4096 KiB exceeded");
    expect_limit("local t = {} for i = 1, 1e8 do t[i] = {} end", 0, 4u << 20,
                 "Lua memory cap of 4096 KiB exceeded");
    expect_limit("return string.rep('x', 1e9)", 0, 4u << 20, "Lua memory cap");
}
END_TEST

/* Regression: the pattern matcher and table.move run in C, where the count
 * hook never fires; this find ran for hours under any budget. */
START_TEST(limits__c_work_is_charged)
{
    expect_limit("local s = string.rep('a', 3000) s:find(string.rep('a-', 12) .. 'b')", 1000000,
                 8u << 20, "string.find: this pattern on a 3000-byte string could take more steps");
    expect_limit("string.rep('a', 3000):match(string.rep('a*', 8) .. 'b')", 1000000, 8u << 20,
                 "string.match");
    expect_limit("for w in string.rep('ab', 5000):gmatch('(a+)(b-)%1') do end", 1000000, 8u << 20,
                 "string.gmatch");
    expect_limit("string.rep('a', 5000):gsub('a-a-a-b', '')", 1000000, 8u << 20, "string.gsub");
    expect_limit("table.move({}, 1, 1e15, 1, {})", 1000000, 8u << 20,
                 "table.move: moving 1000000000000000 elements");
    /* Many cheap calls add up within one call of the model. */
    expect_limit("local s = string.rep('a', 999) for i = 1, 1e6 do s:find('a*b') end", 10000000,
                 8u << 20, "string.find");
}
END_TEST

/* Regression: comparing two distinct long strings is one instruction that
 * reads them whole, so a loop of them stayed within the budget for twenty
 * minutes.  A counted call now has a CPU ceiling (10 s + 1 us an
 * instruction of budget: 11 s here). */
START_TEST(limits__cpu_ceiling)
{
    expect_limit("local s = string.rep('x', 10000000) local t = s:sub(1, -2) .. 'y'\n"
                 "local n = 0 for i = 1, 1e9 do if s == t then n = n + 1 end end",
                 1000000, 64u << 20, "Lua call used more than 11 s of CPU");
}
END_TEST

/* Regression: C functions that loop on their own, where the count hook
 * never fires.  table.insert and table.remove trusted a __len that lies;
 * a long pattern without quantifiers was charged n + pn for n * pn steps
 * (this find ran for minutes within a budget of a million). */
START_TEST(limits__c_loops_are_charged)
{
    expect_limit("local t = setmetatable({}, { __len = function() return 1 << 62 end })\n"
                 "table.insert(t, 1, 'x')",
                 1000000, 8u << 20, "table.insert: moving 4611686018427387904 elements");
    expect_limit("local t = setmetatable({}, { __len = function() return 1 << 62 end })\n"
                 "table.remove(t, 1)",
                 1000000, 8u << 20, "table.remove: moving 4611686018427387904 elements");
    expect_limit("local s = string.rep('a', 1000000)\n"
                 "return s:find(string.rep('%a', 200000) .. 'b')",
                 1000000, 8u << 20, "string.find: this pattern on a 1000000-byte string");
    expect_limit("local s = string.rep('a', 1000000)\n"
                 "return s:match(string.rep('[a]', 100000) .. 'b')",
                 1000000, 8u << 20, "string.match: this pattern");
}
END_TEST

/* string.rep of the empty string looped n times doing nothing (days for
 * 1e15); its result is the empty string, at once. */
START_TEST(limits__rep_of_nothing_is_immediate)
{
    make_dir();
    char *path = write_model("rep", NULL,
                             "local a, b = string.rep('', 1e15), ('x'):rep(0)\n"
                             "local c = string.rep('', math.maxinteger, '')\n"
                             "local d = string.rep('ab', 3, ',')\n"
                             "if a ~= '' or b ~= '' or c ~= '' or d ~= 'ab,ab,ab' then error(d) end\n"
                             "return 7");
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    double score = -1;
    char *err = score_with(reg, "rep", "sb-1", &score);
    ck_assert_msg(err == NULL, "%s", err);
    ck_assert_double_eq(score, 7);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}
END_TEST

/* Lua code that would run with the hooks off: a finalizer (run in the
 * collection after a call, or at lua_close) and xpcall's handler for the
 * budget's own error (run inside the hook).  Each looped for ever. */
START_TEST(limits__no_unhooked_lua)
{
    expect_limit("local t = setmetatable({}, { __gc = function() while true do end end })", 1000000,
                 8u << 20, "setmetatable: a model may not have finalizers (__gc)");
    expect_limit("xpcall(function() while true do end end, function(m) while true do end end)",
                 1000000, 8u << 20, "Lua instruction budget of 1000000 exceeded");
    expect_limit("local ok = xpcall(function() while true do end end,\n"
                 "                  function(m) while true do end end)\n"
                 "if not ok then return 1 end",
                 100000, 8u << 20, "Lua instruction budget of 100000 exceeded");
    /* A to-be-closed variable's __close runs hooked while the error unwinds. */
    expect_limit("local x <close> = setmetatable({}, { __close = function() while true do end end })\n"
                 "while true do end",
                 1000000, 8u << 20, "Lua instruction budget of 1000000 exceeded");
    /* An ordinary error still reaches the model's handler. */
    make_dir();
    char *path = write_model("handler", NULL,
                             "local ok, m = xpcall(function() error('boom', 0) end,\n"
                             "                     function(m) return 'handled ' .. m end)\n"
                             "if ok or m ~= 'handled boom' then error(tostring(m)) end\n"
                             "return 9");
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    double score = -1;
    char *err = score_with(reg, "handler", "sb-1", &score);
    ck_assert_msg(err == NULL, "%s", err);
    ck_assert_double_eq(score, 9);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}
END_TEST

/* Regression: the clock was read every 8,000 instructions, so a loop of
 * long C calls (each sort here takes tens of milliseconds) ran for minutes
 * past the ceiling.  The thread's CPU tick now stops it at the next
 * instruction after the ceiling. */
START_TEST(limits__cpu_ceiling_between_long_instructions)
{
    expect_limit("local t = { string.rep('a', 1 << 18):byte(1, -1) }\n"
                 "for k = 1, 1e9 do table.sort(t) end",
                 1000000, 16u << 20, "Lua call used more than 11 s of CPU");
}
END_TEST

/* Regression: a call that came after one stopped by the budget had its own
 * error reported as the budget's (the flag was reset for counted calls only). */
START_TEST(limits__each_call_has_its_own_error)
{
    make_dir();
    char *path = write_model("twice", NULL,
                             "if p.id == 'loop' then while true do end end\n"
                             "if p.id == 'fail' then error('plain failure', 0) end\n"
                             "return 5");
    imv_registry *reg = new_registry(1000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_worker *w = imv_worker_new(reg);
    const char *ids[3] = {"loop", "fail", "ok"};
    const char *expect[3] = {"Lua instruction budget of 1000000 exceeded",
                             "Lua error: plain failure", NULL};
    for (int k = 0; k < 3; k++) {
        imv_profile *p = profile(ids[k]);
        imv_evaluation e;
        imv_evaluate(w, p, &e);
        const imv_result *r = &e.results[0];
        if (expect[k])
            ck_assert_msg(r->error && strstr(r->error, expect[k]), "%s: %s", ids[k],
                          r->error ? r->error : "(no error)");
        else
            ck_assert_msg(r->error == NULL && r->score == 5, "%s", r->error);
        imv_evaluation_clear(&e);
        imv_profile_free(p);
    }
    imv_worker_free(w);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}
END_TEST

/* threads x Lua models x --lua-memory had no overall bound (2.6 GB at
 * --jobs 128): every state draws from one pool.  a_holder keeps 3 MiB;
 * b_grower, within its own cap, does not find 6 more (string.rep builds a
 * copy) in an 8 MiB pool. */
START_TEST(limits__overall_memory_cap)
{
    make_dir();
    char *a = write_model("a_holder", "local big = string.rep('x', 3 << 20)",
                          "return #big > 0 and 1 or 0");
    char *b = write_model("b_grower", NULL,
                          "if p.id == 'small' then return 3 end\n"
                          "local s = string.rep('y', 3 << 20) return #s > 0 and 2 or 0");
    imv_limits l;
    imv_limits_default(&l);
    ck_assert_uint_eq(l.lua_memory_total, (size_t)1 << 30);
    l.isolate = 0;
    l.lua_memory = 8u << 20;
    l.lua_memory_total = 8u << 20;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, a, 0, &d), 0);
    ck_assert_int_eq(imv_registry_load_file(reg, b, 0, &d), 0);
    for (int round = 0; round < 2; round++) {
        double score = -1;
        char *err = score_with(reg, "b_grower", "big", &score);
        ck_assert_msg(err && strstr(err, "all Lua model states together reached the overall "
                                         "cap of 8 MiB (--lua-memory-total"),
                      "%s", err ? err : "(no error)");
        free(err);
        err = score_with(reg, "a_holder", "big", &score);
        ck_assert_msg(err == NULL, "%s", err);
        ck_assert_double_eq(score, 1);
        err = score_with(reg, "b_grower", "small", &score);
        ck_assert_msg(err == NULL, "%s", err);
        ck_assert_double_eq(score, 3);
    }
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(a);
    free(b);
    remove_dir();
}
END_TEST

START_TEST(limits__ordinary_patterns_still_work)
{
    make_dir();
    char *path = write_model("patterns", NULL,
                             "local y, m = p.as_of:match('^(%d%d%d%d)%-(%d%d)$')\n"
                             "local n = 0\n"
                             "for w in ('a,b,c,d'):gmatch('[^,]+') do n = n + 1 end\n"
                             "local s = ('  x   y  '):gsub('%s+', ' ')\n"
                             "local t = table.move({1, 2, 3}, 1, 3, 1, {})\n"
                             "local i = string.rep('ab', 5000):find('ba', 1, true)\n"
                             "if y ~= '2020' or m ~= '01' or s ~= ' x y ' or #t ~= 3 or i ~= 2 then\n"
                             "  error(table.concat({tostring(y), tostring(m), s, #t, tostring(i)}, '|'))\n"
                             "end\n"
                             "return n * 10");
    imv_registry *reg = new_registry(10000000, 8u << 20);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    double score = -1;
    char *err = score_with(reg, "patterns", "sb-1", &score);
    ck_assert_msg(err == NULL, "%s", err);
    ck_assert_double_eq(score, 40);
    imv_diags_free(&d);
    imv_registry_free(reg);
    free(path);
    remove_dir();
}
END_TEST

START_TEST(limits__at_load_time)
{
    const char *tops[3] = {"while true do end", "local s = 'x' while true do s = s .. s end",
                           "error('refusing to load')"};
    const char *expect[3] = {"instruction budget", "memory cap", "refusing to load"};
    for (int k = 0; k < 3; k++) {
        make_dir();
        char *path = write_model("loader", tops[k], "return 1");
        imv_registry *reg = new_registry(100000, 4u << 20);
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_int_ne(imv_registry_load_file(reg, path, 0, &d), 0);
        ck_assert_uint_eq(imv_registry_count(reg), 0);
        ck_assert_msg(strstr(d.v[0].message, expect[k]) != NULL, "\"%s\" lacks \"%s\"",
                      d.v[0].message, expect[k]);
        ck_assert_str_eq(d.v[0].source, path);
        imv_diags_free(&d);
        imv_registry_free(reg);
        free(path);
        remove_dir();
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sandbox");
    TCase *tc = tcase_create("sandbox");
    tcase_set_timeout(tc, 600); /* CPU ceilings of 11 s: minutes of wall clock on a loaded 2-core machine */
    tcase_add_test(tc, sandbox__cannot_read_a_file);
    tcase_add_test(tc, sandbox__cannot_read_the_environment_or_run_a_process);
    tcase_add_test(tc, sandbox__cannot_load_code);
    tcase_add_test(tc, sandbox__string_metatable_is_the_trimmed_library);
    tcase_add_test(tc, sandbox__precompiled_chunk_is_refused);
    tcase_add_test(tc, sandbox__models_do_not_share_globals);
    tcase_add_test(tc, sandbox__globals_are_read_only_while_scoring);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 600); /* CPU ceilings of 11 s: minutes of wall clock on a loaded 2-core machine */
    tcase_add_test(tc, limits__instruction_budget);
    tcase_add_test(tc, limits__memory_cap);
    tcase_add_test(tc, limits__c_work_is_charged);
    tcase_add_test(tc, limits__c_loops_are_charged);
    tcase_add_test(tc, limits__rep_of_nothing_is_immediate);
    tcase_add_test(tc, limits__no_unhooked_lua);
    tcase_add_test(tc, limits__each_call_has_its_own_error);
    tcase_add_test(tc, limits__overall_memory_cap);
    tcase_add_test(tc, limits__ordinary_patterns_still_work);
    tcase_add_test(tc, limits__at_load_time);
    suite_add_tcase(s, tc);
    /* These two need 11 s of CPU each by design (the ceiling is 10 s plus
     * 1 us an instruction of budget): under ASan on a loaded machine that
     * was more than a minute of wall time. */
    tc = tcase_create("ceiling");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, limits__cpu_ceiling);
    tcase_add_test(tc, limits__cpu_ceiling_between_long_instructions);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
