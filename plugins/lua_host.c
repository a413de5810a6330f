/*
 * lua_host.c - the host for Lua models.
 *
 * Each model gets its own lua_State per worker thread, so no model can
 * see another's globals.  The state is a sandbox built from an allow-list
 * (after linit.c): the safe parts of base, string, table, math and utf8,
 * nothing that reaches files, the environment, processes, the clock or
 * bytecode.  Scripts are loaded as text only.  Each call runs under
 * lua_pcall with an instruction budget (a count hook) and a memory cap
 * (our lua_Alloc); breaking either, or any Lua error, becomes that
 * model's error and leaves the state usable for the next profile.
 *
 * Everything that touches a Lua value runs inside a protected call,
 * because even reading a field can run a metamethod that raises.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/internal.h"

#define MAX_SCRIPT (1u << 20)
#define HOOK_STEP 1000

typedef struct lua_cls {
    char *src;
    size_t len;
    char *chunkname;
} lua_cls;

typedef struct lua_inst {
    lua_State *L;
    size_t mem, cap;
    long budget, left;
    int budget_hit;
    int cpu_hit;               /* the call passed its CPU ceiling */
    unsigned hooks;            /* count-hook calls, to read the clock now and then */
    double cpu_start;          /* thread CPU seconds when the call started */
    int ref_model, ref_score, ref_batch, ref_params;
    int ref_p, ref_ratings;
    const imv_model *model;
    unsigned long cached_key;  /* profile whose table ref_p holds; 0 none */
    double cached_ratings[IMV_R_COUNT]; /* what ref_ratings holds */
    int ref_keys;              /* interned key strings, see KEY_* */
    double *w_last;            /* what the params table ref_params holds */
    size_t w_n;                /* its length; 0 when there is none */
    int lazy;                  /* calls run without the count hook, see run_fast */
    double lazy_limit;         /* seconds a call may take and still be trusted */
    volatile sig_atomic_t rerun; /* the tick interrupted this call */
    long c_spent;              /* steps charged for C work in this call */
    unsigned long calls, reruns;
    void *small[9];            /* free blocks of 16, 32, ..., 128 bytes (see l_alloc) */
    struct slab *slabs;        /* where they come from; freed with the state */
    char *bump;
    size_t bump_left;
} lua_inst;

/* The keys the host writes in every call, interned once per state (a
 * lua_setfield with a C string looks the string up each time).  Rating i
 * is at KEY_RATING + i, parameter j at KEY_PARAM + j. */
enum { KEY_RATING = 1, KEY_RATINGS = KEY_RATING + IMV_R_COUNT, KEY_SCORE_ONLY, KEY_PARAM };

static void push_key(lua_State *L, const lua_inst *I, int k)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_keys);
    lua_rawgeti(L, -1, k);
    lua_remove(L, -2);
}

/* t[key k] = x for the table at idx, without metamethods. */
static void set_key_num(lua_State *L, const lua_inst *I, int idx, int k, double x)
{
    idx = lua_absindex(L, idx);
    push_key(L, I, k);
    lua_pushnumber(L, x);
    lua_rawset(L, idx);
}

static int l_make_keys(lua_State *L)
{
    lua_createtable(L, KEY_PARAM + 8, 0);
    for (int i = 0; i < IMV_R_COUNT; i++) {
        lua_pushstring(L, imv_rating_name(i));
        lua_rawseti(L, -2, KEY_RATING + i);
    }
    lua_pushliteral(L, "ratings");
    lua_rawseti(L, -2, KEY_RATINGS);
    lua_pushliteral(L, "score_only");
    lua_rawseti(L, -2, KEY_SCORE_ONLY);
    return 1;
}

/* ---- the state: allocator, hook, sandbox --------------------------------- */

/* Small blocks (up to SMALL_MAX bytes, as Lua reports their size) come
 * from per-state free lists in 16-byte classes, carved from 64 KiB slabs:
 * every call makes a few small tables, and malloc/free for them cost 7%
 * of a bulk run.  A state is used by one thread at a time, so no locks.
 * Which allocator a block came from follows from the size Lua gives back,
 * so a block never changes sides without a copy.  Slabs are released with
 * the state; the memory cap counts what Lua asked for, as before. */
#define SMALL_MAX 128
#define SLAB_SIZE (64 * 1024)

struct slab {
    struct slab *next;
    max_align_t pad;           /* keeps the blocks after it aligned */
};

static void *small_get(lua_inst *I, size_t cls)
{
    void *p = I->small[cls];
    if (p) {
        I->small[cls] = *(void **)p;
        return p;
    }
    size_t size = cls * 16;
    if (I->bump_left < size) {
        struct slab *sl = malloc(SLAB_SIZE);
        if (!sl)
            return NULL;
        sl->next = I->slabs;
        I->slabs = sl;
        I->bump = (char *)(sl + 1);
        I->bump_left = SLAB_SIZE - sizeof *sl;
    }
    p = I->bump;
    I->bump += size;
    I->bump_left -= size;
    return p;
}

static void small_put(lua_inst *I, void *p, size_t cls)
{
    *(void **)p = I->small[cls];
    I->small[cls] = p;
}

static size_t small_class(size_t n)
{
    return (n + 15) / 16;
}

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lua_inst *I = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr && old <= SMALL_MAX)
            small_put(I, ptr, small_class(old));
        else
            free(ptr);
        I->mem -= old;
        return NULL;
    }
    if (I->cap && nsize > old && I->mem + (nsize - old) > I->cap)
        return NULL;
    void *p;
    if (ptr && old <= SMALL_MAX && nsize <= SMALL_MAX && small_class(old) == small_class(nsize)) {
        p = ptr;                                  /* fits where it is */
    } else if (ptr && old > SMALL_MAX && nsize > SMALL_MAX) {
        p = realloc(ptr, nsize);
    } else {
        p = nsize <= SMALL_MAX ? small_get(I, small_class(nsize)) : malloc(nsize);
        if (p && ptr) {
            memcpy(p, ptr, old < nsize ? old : nsize);
            if (old <= SMALL_MAX)
                small_put(I, ptr, small_class(old));
            else
                free(ptr);
        }
    }
    if (p)
        I->mem = I->mem - old + nsize;
    return p;
}

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds of CPU a counted call may use.  Some single instructions work
 * in proportion to a string's length (comparing two distinct 10 MB
 * strings is one instruction, 0.7 ms), so the budget alone let a call run
 * for twenty minutes.  A legitimate call of the default budget takes well
 * under a second; only a broken model can meet this ceiling. */
static double cpu_ceiling(long budget)
{
    return 10.0 + (double)budget * 1e-6;
}

static void l_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_inst *I = *(lua_inst **)lua_getextraspace(L);
    if (I->cpu_hit || ((++I->hooks & 7) == 0 && I->budget > 0 &&
                       thread_cpu() - I->cpu_start > cpu_ceiling(I->budget))) {
        if (!I->cpu_hit) {
            I->cpu_hit = 1;     /* as below: every instruction raises it now */
            lua_sethook(L, l_hook, LUA_MASKCOUNT, 1);
        }
        luaL_error(L, "CPU time ceiling exceeded");
    }
    I->left -= HOOK_STEP;
    if (I->left < 0) {
        if (!I->budget_hit) {
            /* A script can catch this error with pcall and loop on; from
             * now on every instruction raises it again, so no Lua code runs
             * to completion until run() restores the normal step. */
            I->budget_hit = 1;
            lua_sethook(L, l_hook, LUA_MASKCOUNT, 1);
        }
        luaL_error(L, "instruction budget of %ld exceeded", I->budget);
    }
}

/* ---- the lazy budget ---------------------------------------------------------
 *
 * A count hook makes Lua check a counter on every instruction, whatever
 * its interval: it doubled the cost of a model call.  So calls run without
 * it, and the budget is still exact:
 *
 *   - each thread that runs Lua has a timer on its own CPU clock that
 *     sends it a signal every LAZY_TICK_NS; if the signal lands inside a
 *     call, the handler arms a hook (lua_sethook is made for signal
 *     handlers: lua.c stops scripts on Ctrl-C the same way) that aborts it;
 *   - a call that was aborted, or that took long enough that it could
 *     have run more than the budget (budget / LAZY_MAX_RATE seconds, a
 *     rate no machine reaches), is thrown away and run again with the count
 *     hook, from the start.
 *
 * A call that finishes sooner cannot have run past its budget, so its
 * result is the one counting would give: results never depend on timing.
 * Runaway scripts are stopped within a tick plus the counted re-run.  A
 * model whose calls are long is simply counted from then on.  Small
 * budgets (tests, --lua-budget 1000) are always counted. */

#define LAZY_MIN_BUDGET 1000000L
#define LAZY_TICK_NS 10000000L      /* 10 ms of the thread's CPU time */
#define LAZY_MAX_RATE 4e9           /* Lua VM instructions a second */

static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;
static int lazy_signo, lazy_ok;
static pthread_key_t lazy_key;      /* a thread's timer, deleted when it exits */
static atomic_uint lazy_fork_gen;   /* timers are not inherited by fork */
static _Thread_local lua_inst *volatile lazy_running; /* in a lazy call */
static _Thread_local unsigned lazy_timer_gen, lazy_timer_failed;

static void l_hook_abort(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_inst *I = *(lua_inst **)lua_getextraspace(L);
    I->rerun = 1;
    luaL_error(L, "interrupted, to be run again counting instructions");
}

static void lazy_on_tick(int sig)
{
    (void)sig;
    int saved = errno;
    lua_inst *I = lazy_running;
    if (I)
        lua_sethook(I->L, l_hook_abort, LUA_MASKCOUNT, 1);
    errno = saved;
}

static void lazy_timer_free(void *p)
{
    timer_t *t = p;
    timer_delete(*t);
    free(t);
}

static void lazy_after_fork(void)
{
    atomic_fetch_add(&lazy_fork_gen, 1);
}

static void lazy_init(void)
{
    lazy_signo = SIGRTMIN + 7;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = lazy_on_tick;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (lazy_signo > SIGRTMAX || sigaction(lazy_signo, &sa, NULL) != 0 ||
        pthread_key_create(&lazy_key, lazy_timer_free) != 0 ||
        pthread_atfork(NULL, NULL, lazy_after_fork) != 0)
        return;
    lazy_ok = 1;
}

/* 1 when this thread has its tick timer (made on first use); 0 when it
 * cannot have one, and calls must be counted. */
static int lazy_thread_ready(void)
{
    pthread_once(&lazy_once, lazy_init);
    if (!lazy_ok)
        return 0;
    unsigned gen = atomic_load_explicit(&lazy_fork_gen, memory_order_relaxed) + 1;
    if (lazy_timer_gen == gen)
        return 1;
    if (lazy_timer_failed == gen)
        return 0;
    timer_t *t = malloc(sizeof *t);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = lazy_signo;
    sev._sigev_un._tid = gettid();   /* sigev_notify_thread_id, in newer headers */
    struct itimerspec its = {{0, LAZY_TICK_NS}, {0, LAZY_TICK_NS}};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, lazy_signo);
    if (!t || timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, t) != 0) {
        free(t);
        lazy_timer_failed = gen;
        return 0;
    }
    if (timer_settime(*t, 0, &its, NULL) != 0 || pthread_setspecific(lazy_key, t) != 0 ||
        pthread_sigmask(SIG_UNBLOCK, &set, NULL) != 0) {
        lazy_timer_free(t);
        lazy_timer_failed = gen;
        return 0;
    }
    lazy_timer_gen = gen;
    return 1;
}

/* imeval.journey(p) -> months_to_fair, months_to_good, factor */
static int l_journey(lua_State *L)
{
    imv_profile_view v;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "grade");
    const char *g = lua_tostring(L, -1);
    int grade = g ? imv_grade_parse(g, NULL) : -1;
    v.grade = grade < 0 ? IMV_G_NOT_INSPECTED : (imv_grade)grade;
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "ratings") == LUA_TTABLE)
        for (int i = 0; i < IMV_R_COUNT; i++) {
            lua_getfield(L, -1, imv_rating_name(i));
            v.ratings[i] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "facts") == LUA_TTABLE)
        for (int i = 0; i < IMV_F_COUNT; i++) {
            if (lua_getfield(L, -1, imv_fact_name(i)) == LUA_TNUMBER) {
                v.facts[i] = lua_tonumber(L, -1);
                v.facts_present |= 1u << i;
            }
            lua_pop(L, 1);
        }
    lua_pop(L, 1);
    imv_journey j;
    imv_journey_compute(&v, &j);
    lua_pushnumber(L, j.months_to_fair);
    lua_pushnumber(L, j.months_to_good);
    lua_pushnumber(L, j.factor);
    return 3;
}

static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(k, *list) == 0)
            return 1;
    return 0;
}

/* Remove every key of the table at the top of the stack not in keep. */
static void keep_only(lua_State *L, const char *const *keep)
{
    lua_newtable(L); /* the doomed keys, so we do not edit while iterating */
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, -3)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || !in_list(lua_tostring(L, -1), keep)) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, -3, ++n);
        }
    }
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
}

static const char *const base_allowed[] = {
    "_G", "_VERSION", "assert", "error", "getmetatable", "ipairs", "next", "pairs",
    "pcall", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable",
    "tonumber", "tostring", "type", "xpcall", "string", "table", "math", "utf8",
    "imeval", NULL};
static const char *const string_allowed[] = {
    "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match",
    "rep", "reverse", "sub", "upper", "pack", "packsize", "unpack", NULL};
/* No random numbers: a model must be a function of its inputs, or the
 * same run would not give the same output. */
static const char *const math_allowed[] = {
    "abs", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log", "max",
    "maxinteger", "min", "mininteger", "modf", "pi", "rad", "sin", "sqrt", "tan",
    "tointeger", "type", "ult", "atan", "asin", "acos", NULL};

/* ---- C work is charged too --------------------------------------------------
 *
 * The count hook only sees VM instructions; a C function runs to its end
 * unseen.  Most library functions do work bounded by the memory cap, but
 * the pattern matcher can take time exponential in its pattern
 * ("aaa...":find(("a-"):rep(12) .. "b") ran for hours), and table.move
 * loops as often as its arguments say, allocating nothing.  Those are
 * wrapped: before the real function runs, a bound of its steps is charged
 * against a second allowance of the budget's size, reset every call.  The
 * charge depends only on the arguments, so counted and lazy calls agree. */

enum { CHARGE_FIND, CHARGE_MATCH, CHARGE_MOVE };

/* After '[' at p[i]: the index just past the closing ']' (as lstrlib's
 * classEnd), or pn when there is none. */
static size_t set_end(const char *p, size_t pn, size_t i)
{
    i++;
    if (i < pn && p[i] == '^')
        i++;
    do {
        if (i >= pn)
            return pn;
        if (p[i++] == '%' && i < pn)
            i++;
    } while (i < pn && p[i] != ']');
    return i + 1;
}

/* How many items of the pattern can make the matcher try every length of
 * the subject: quantified single-character classes, %b and back-references. */
static int pattern_branches(const char *p, size_t pn)
{
    int q = 0;
    size_t i = 0;
    while (i < pn) {
        char c = p[i];
        if (c == '(' || c == ')' || c == '^' || c == '$') {
            i++;
            continue;
        }
        if (c == '%' && i + 1 < pn) {
            char e = p[i + 1];
            if (e == 'b') {
                q++;
                i += 4;
                continue;
            }
            if (e == 'f') {
                i = i + 2 < pn && p[i + 2] == '[' ? set_end(p, pn, i + 2) : i + 2;
                continue;
            }
            if (e >= '0' && e <= '9') {
                q++;
                i += 2;
                continue;
            }
            i += 2;
        } else if (c == '[') {
            i = set_end(p, pn, i);
        } else {
            i++;
        }
        if (i < pn && (p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?')) {
            q++;
            i++;
        }
    }
    return q;
}

/* A bound of the steps of the wrapped call with the arguments on the stack
 * (0 when they are not what it takes: the real function then says so). */
static double c_cost(lua_State *L, int kind)
{
    if (kind == CHARGE_MOVE) {
        int ok1, ok2;
        lua_Integer f = lua_tointegerx(L, 2, &ok1), e = lua_tointegerx(L, 3, &ok2);
        return ok1 && ok2 && e >= f ? (double)e - (double)f + 1 : 0;
    }
    size_t n, pn;
    if (!lua_isstring(L, 1) || !lua_isstring(L, 2))
        return 0;
    lua_tolstring(L, 1, &n);
    const char *p = lua_tolstring(L, 2, &pn);
    int plain = kind == CHARGE_FIND && lua_toboolean(L, 4);
    if (plain || (strlen(p) == pn && !strpbrk(p, "^$*+?.([%-")))
        return ((double)n + 1) * ((double)pn + 1);
    return pow((double)n + 1, pattern_branches(p, pn) + 1) + (double)pn;
}

static int l_charged(lua_State *L)
{
    lua_inst *I = *(lua_inst **)lua_getextraspace(L);
    int kind = (int)lua_tointeger(L, lua_upvalueindex(2));
    if (I->budget > 0) {
        double cost = c_cost(L, kind);
        if (cost > (double)(I->budget - I->c_spent)) {
            const char *name = lua_tostring(L, lua_upvalueindex(3));
            char msg[300];
            size_t n = 0;
            if (kind != CHARGE_MOVE)
                lua_tolstring(L, 1, &n);
            if (kind == CHARGE_MOVE)
                snprintf(msg, sizeof msg, "%s: moving %.0f elements takes more steps than the "
                         "instruction budget of %ld", name, cost, I->budget);
            else
                snprintf(msg, sizeof msg, "%s: this pattern on a %zu-byte string could take "
                         "more steps than the instruction budget of %ld (simplify the pattern "
                         "or shorten the string)", name, n, I->budget);
            return luaL_error(L, "%s", msg);   /* lua_pushfstring knows no %zu */
        }
        I->c_spent += (long)cost;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* Replace lib.name (lib at the top of the stack) by its charged wrapper. */
static void charge(lua_State *L, const char *lib, const char *name, int kind)
{
    lua_getfield(L, -1, name);
    lua_pushinteger(L, kind);
    lua_pushfstring(L, "%s.%s", lib, name);
    lua_pushcclosure(L, l_charged, 3);
    lua_setfield(L, -2, name);
}

/* Deterministic pairs: numbers, then strings, then booleans, each in
 * order; keys of other types (tables, functions) last, in an order that
 * is not specified.  A __pairs metamethod is still honoured. */
static const char sorted_pairs[] =
    "local next, type, sort, getmetatable = next, type, table.sort, getmetatable\n"
    "local rank = { number = 1, string = 2, boolean = 3 }\n"
    "local function before(a, b)\n"
    "  local ta, tb = type(a), type(b)\n"
    "  if ta ~= tb then return (rank[ta] or 4) < (rank[tb] or 4) end\n"
    "  if ta == 'number' or ta == 'string' then return a < b end\n"
    "  if ta == 'boolean' then return b and not a end\n"
    "  return false\n"
    "end\n"
    "function pairs(t)\n"
    "  local mt = getmetatable(t)\n"
    "  if mt and mt.__pairs then return mt.__pairs(t) end\n"
    "  local keys, n = {}, 0\n"
    "  for k in next, t do n = n + 1; keys[n] = k end\n"
    "  sort(keys, before)\n"
    "  local i = 0\n"
    "  return function()\n"
    "    i = i + 1\n"
    "    local k = keys[i]\n"
    "    if k ~= nil then return k, t[k] end\n"
    "  end, t, nil\n"
    "end\n";

static int open_sandbox(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    lua_newtable(L);
    lua_pushstring(L, IMV_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushcfunction(L, l_journey);
    lua_setfield(L, -2, "journey");
    lua_setglobal(L, "imeval");
    lua_pushglobaltable(L);
    keep_only(L, base_allowed);
    lua_getfield(L, -1, "string");
    keep_only(L, string_allowed);
    charge(L, "string", "find", CHARGE_FIND);
    charge(L, "string", "match", CHARGE_MATCH);
    charge(L, "string", "gmatch", CHARGE_MATCH);
    charge(L, "string", "gsub", CHARGE_MATCH);
    lua_pop(L, 1);
    lua_getfield(L, -1, "table");
    charge(L, "table", "move", CHARGE_MOVE);
    lua_pop(L, 1);
    lua_getfield(L, -1, "math");
    keep_only(L, math_allowed);
    lua_pop(L, 1);
    lua_pop(L, 1);
    /* Lua seeds its string hash per state, so `pairs` order would change
     * from run to run and so could a model's reasons: iterate in sorted
     * key order instead (RESULT-FORMAT promises byte-identical output). */
    if (luaL_loadbufferx(L, sorted_pairs, sizeof sorted_pairs - 1, "=pairs", "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 0);
    /* The loaded-modules table would otherwise still hold the full
     * libraries (string.dump via package.loaded.string is gone with
     * keep_only since it is the same table, but be thorough). */
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    return 0;
}

static const char *lua_errmsg(lua_State *L, int status, lua_inst *I, char *buf, size_t len)
{
    if (status == LUA_ERRMEM) {
        snprintf(buf, len, "Lua memory cap of %zu KiB exceeded", I->cap >> 10);
    } else if (I->cpu_hit) {
        snprintf(buf, len, "Lua call used more than %.0f s of CPU without reaching its instruction "
                 "budget (is it comparing or copying long strings in a loop?)",
                 cpu_ceiling(I->budget));
    } else if (I->budget_hit) {
        snprintf(buf, len, "Lua instruction budget of %ld exceeded (is there an endless loop?)",
                 I->budget);
    } else {
        const char *m = lua_tostring(L, -1);
        snprintf(buf, len, "Lua error: %s", m ? m : "(error object is not a string)");
    }
    return buf;
}

static void inst_free(void *p)
{
    lua_inst *I = p;
    if (!I)
        return;
    if (I->L)
        lua_close(I->L);
    while (I->slabs) {
        struct slab *next = I->slabs->next;
        free(I->slabs);
        I->slabs = next;
    }
    free(I->w_last);
    free(I);
}

/* Create a state, run the script, and keep the model table. */
static int inst_create(const lua_cls *c, long budget, size_t cap, lua_inst **out, char *err,
                       size_t errlen)
{
    lua_inst *I = imv_xcalloc(1, sizeof *I);
    I->cap = cap;
    I->budget = budget;
    I->left = budget ? budget : 0;
    I->ref_p = I->ref_ratings = I->ref_params = I->ref_keys = LUA_NOREF;
    *out = NULL;
    I->L = lua_newstate(l_alloc, I);
    if (!I->L) {
        snprintf(err, errlen, "cannot create a Lua state (memory cap too small?)");
        free(I);
        return IMV_ENOMEM;
    }
    lua_State *L = I->L;
    *(lua_inst **)lua_getextraspace(L) = I;
    if (budget > 0)
        lua_sethook(L, l_hook, LUA_MASKCOUNT, HOOK_STEP);  /* the chunk is counted */
    I->cpu_start = thread_cpu();
    I->lazy = budget >= LAZY_MIN_BUDGET && !getenv("IMEVAL_LUA_COUNT_ALWAYS");
    /* Every call leaves a few small tables that die at once: the
     * generational collector handles that with less work. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    I->lazy_limit = (double)budget / LAZY_MAX_RATE;
    lua_pushcfunction(L, open_sandbox);
    int st = lua_pcall(L, 0, 0, 0);
    if (st == LUA_OK) {
        lua_pushcfunction(L, l_make_keys);
        st = lua_pcall(L, 0, 1, 0);
        if (st == LUA_OK)
            I->ref_keys = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (st == LUA_OK)
        st = luaL_loadbufferx(L, c->src, c->len, c->chunkname, "t");
    if (st == LUA_OK)
        st = lua_pcall(L, 0, 1, 0);
    if (st != LUA_OK) {
        lua_errmsg(L, st, I, err, errlen);
        inst_free(I);
        return IMV_EPLUGIN;
    }
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "the script must return a model table, it returned %s",
                 luaL_typename(L, -1));
        inst_free(I);
        return IMV_EPLUGIN;
    }
    lua_getfield(L, -1, "score");
    if (!lua_isfunction(L, -1)) {
        snprintf(err, errlen, "the model table has no score function (score = function(p, params) ... end)");
        inst_free(I);
        return IMV_EPLUGIN;
    }
    I->ref_score = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getfield(L, -1, "score_batch");
    I->ref_batch = lua_isfunction(L, -1) ? luaL_ref(L, LUA_REGISTRYINDEX) : (lua_pop(L, 1), LUA_NOREF);
    I->ref_model = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, 0);
    *out = I;
    return IMV_OK;
}

/* ---- reading the model declaration (at load time) --------------------- */

typedef struct decl {
    lua_inst *I;
    const char *s[5];          /* id, name, version, summary, evidence */
    imv_param_def *params;
    size_t n_params;
    char err[512];
} decl;

static const char *const decl_keys[5] = {"id", "name", "version", "summary", "evidence"};

static int l_read_decl(lua_State *L)
{
    decl *d = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, d->I->ref_model);
    for (int i = 0; i < 5; i++) {
        lua_getfield(L, -1, decl_keys[i]);
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "the model table's %s must be a string, it is %s", decl_keys[i],
                              luaL_typename(L, -1));
        d->s[i] = lua_tostring(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, decl_keys[i]); /* keep it alive */
    }
    int t = lua_getfield(L, -1, "parameters");
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TTABLE)
        return luaL_error(L, "parameters must be an array of tables");
    lua_Integer n = luaL_len(L, -1);
    if (n < 0 || n > 100)
        return luaL_error(L, "parameters: at most 100");
    d->params = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *d->params, 0);
    lua_setfield(L, LUA_REGISTRYINDEX, "params");
    for (lua_Integer i = 1; i <= n; i++) {
        imv_param_def *p = &d->params[i - 1];
        if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
            return luaL_error(L, "parameters[%d] must be a table", (int)i);
        static const char *const num[3] = {"default", "min", "max"};
        double *dst[3] = {&p->def, &p->min, &p->max};
        for (int k = 0; k < 3; k++) {
            lua_getfield(L, -1, num[k]);
            if (!lua_isnumber(L, -1))
                return luaL_error(L, "parameters[%d].%s must be a number", (int)i, num[k]);
            *dst[k] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_getfield(L, -1, "name");
        p->name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        lua_getfield(L, -2, "description");
        p->description = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        /* Both strings stay alive: they are referenced by the model table. */
        lua_pop(L, 3);
        d->n_params++;
    }
    return 0;
}

/* ---- building p ------------------------------------------------------------- */

static void set_num_or_nil(lua_State *L, const char *k, double v)
{
    if (v == IMV_UNKNOWN)
        return;
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
    if (!v)
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void push_partners(lua_State *L, const imv_profile_view *v)
{
    lua_createtable(L, (int)v->n_partners, 0);
    for (size_t i = 0; i < v->n_partners; i++) {
        const imv_partner_view *q = &v->partners[i];
        lua_createtable(L, 0, 7);
        set_str(L, "id", q->id);
        set_str(L, "name", q->name);
        set_str(L, "grade", imv_grade_name(q->grade));
        if (q->neighbouring >= 0) {
            lua_pushboolean(L, q->neighbouring);
            lua_setfield(L, -2, "neighbouring");
        }
        set_num_or_nil(L, "child_population", q->child_population);
        set_num_or_nil(L, "spare_leadership_capacity", q->spare_leadership_capacity);
        set_num_or_nil(L, "current_commitments", q->current_commitments);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "partners");
}

/* Build the table for v (ratings left empty), leaving it on the stack. */
static void push_profile(lua_State *L, const lua_inst *I, const imv_profile_view *v)
{
    lua_createtable(L, 0, 12);
    set_str(L, "id", v->id);
    set_str(L, "name", v->name);
    set_str(L, "as_of", v->as_of);
    set_str(L, "grade", imv_grade_name(v->grade));
    lua_createtable(L, (int)v->n_previous, 0);
    for (size_t i = 0; i < v->n_previous; i++) {
        lua_pushstring(L, imv_grade_name(v->previous[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "previous");
    lua_createtable(L, 0, 2);
    set_num_or_nil(L, "child_population", v->child_population);
    set_num_or_nil(L, "children_in_care", v->children_in_care);
    lua_setfield(L, -2, "size");
    push_key(L, I, KEY_RATINGS);
    lua_createtable(L, 0, IMV_R_COUNT);
    lua_rawset(L, -3);
    push_key(L, I, KEY_SCORE_ONLY);
    lua_pushboolean(L, (v->flags & IMV_VIEW_SCORE_ONLY) != 0);
    lua_rawset(L, -3);
    lua_createtable(L, 0, IMV_F_COUNT);
    for (int i = 0; i < IMV_F_COUNT; i++)
        if (IMV_HAS_FACT(v, i)) {
            lua_pushnumber(L, v->facts[i]);
            lua_setfield(L, -2, imv_fact_name(i));
        }
    lua_setfield(L, -2, "facts");
    if (v->intervention_model) {
        lua_createtable(L, 0, 4);
        set_str(L, "model", v->intervention_model);
        set_str(L, "since", v->intervention_since);
        set_str(L, "partner", v->intervention_partner);
        set_num_or_nil(L, "months", v->intervention_months);
        lua_setfield(L, -2, "current_intervention");
    }
    push_partners(L, v);
}

/* Write v's ratings into the ratings table of the p on top of the stack
 * (the cached one when cached is set: then only the ratings that changed
 * since the last call, which in bulk draws are the few uncertain ones). */
static void set_ratings(lua_State *L, lua_inst *I, int cached, const imv_profile_view *v)
{
    if (cached) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_ratings);
        for (int i = 0; i < IMV_R_COUNT; i++)
            if (memcmp(&v->ratings[i], &I->cached_ratings[i], sizeof(double)) != 0) {
                set_key_num(L, I, -1, KEY_RATING + i, v->ratings[i]);
                I->cached_ratings[i] = v->ratings[i];
            }
    } else {
        push_key(L, I, KEY_RATINGS);
        lua_rawget(L, -2);
        for (int i = 0; i < IMV_R_COUNT; i++)
            set_key_num(L, I, -1, KEY_RATING + i, v->ratings[i]);
    }
    lua_pop(L, 1);
}

/* Push p for v.  Bulk draws of one authority (score-only calls with the
 * same key) reuse one table and refresh only its ratings: building it
 * costs more than the model.  p is documented as read-only to models. */
static void push_view(lua_State *L, lua_inst *I, const imv_profile_view *v, unsigned long key)
{
    int cache = key != 0 && (v->flags & IMV_VIEW_SCORE_ONLY);
    if (cache && key == I->cached_key) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_p);
    } else {
        push_profile(L, I, v);
        if (cache) {
            lua_pushvalue(L, -1);
            luaL_unref(L, LUA_REGISTRYINDEX, I->ref_p);
            I->ref_p = luaL_ref(L, LUA_REGISTRYINDEX);
            push_key(L, I, KEY_RATINGS);
            lua_rawget(L, -2);
            luaL_unref(L, LUA_REGISTRYINDEX, I->ref_ratings);
            I->ref_ratings = luaL_ref(L, LUA_REGISTRYINDEX);
            I->cached_key = key;
            /* NaN never equals: every rating is written on first use */
            for (int i = 0; i < IMV_R_COUNT; i++)
                I->cached_ratings[i] = NAN;
        }
    }
    set_ratings(L, I, cache, v);
}

/* 1 when a and b differ at most in their ratings: the same profile, as in
 * the draws of one authority in a batch call (pointers compared: within
 * one call, equal pointers mean equal contents). */
static int same_base(const imv_profile_view *a, const imv_profile_view *b)
{
    return a->flags == b->flags && a->id == b->id && a->name == b->name &&
           a->as_of == b->as_of && a->grade == b->grade && a->n_previous == b->n_previous &&
           a->previous == b->previous && a->child_population == b->child_population &&
           a->children_in_care == b->children_in_care && a->facts_present == b->facts_present &&
           memcmp(a->facts, b->facts, sizeof a->facts) == 0 &&
           a->intervention_model == b->intervention_model &&
           a->intervention_since == b->intervention_since &&
           a->intervention_partner == b->intervention_partner &&
           (a->intervention_months == b->intervention_months ||
            (isnan(a->intervention_months) && isnan(b->intervention_months))) &&
           a->n_partners == b->n_partners && a->partners == b->partners;
}

/* Push a p for v that shares every field but the ratings with the p at
 * base (built for a view with the same base): much cheaper than building
 * it again, and p is read-only to models. */
static void push_copy(lua_State *L, lua_inst *I, int base, const imv_profile_view *v)
{
    lua_createtable(L, 0, 12);
    lua_pushnil(L);
    while (lua_next(L, base)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    push_key(L, I, KEY_RATINGS);
    lua_createtable(L, 0, IMV_R_COUNT);
    for (int i = 0; i < IMV_R_COUNT; i++)
        set_key_num(L, I, -1, KEY_RATING + i, v->ratings[i]);
    lua_rawset(L, -3);
}

/* A fresh params table. */
static void push_params_new(lua_State *L, lua_inst *I, const imv_model *m, const double *params)
{
    lua_createtable(L, 0, (int)m->n_params);
    for (size_t i = 0; i < m->n_params; i++)
        set_key_num(L, I, -1, KEY_PARAM + (int)i, params[i]);
}

/* Push the params table.  One table per state is kept and reused: only
 * values that changed since the last call are written (none, unless the
 * parameters are being varied).  Models treat params as read-only. */
static void push_params(lua_State *L, lua_inst *I, const imv_model *m, const double *params)
{
    if (I->w_n == 0 && m->n_params > 0) {
        /* first call, or the first after an error: build the table */
        push_params_new(L, I, m, params);
        lua_pushvalue(L, -1);
        luaL_unref(L, LUA_REGISTRYINDEX, I->ref_params);
        I->ref_params = luaL_ref(L, LUA_REGISTRYINDEX);
        free(I->w_last);
        I->w_last = imv_xmalloc(m->n_params * sizeof *I->w_last);
        memcpy(I->w_last, params, m->n_params * sizeof *I->w_last);
        I->w_n = m->n_params;
        return;
    }
    if (m->n_params == 0) {
        lua_createtable(L, 0, 0);
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_params);
    for (size_t i = 0; i < m->n_params; i++)
        if (memcmp(&params[i], &I->w_last[i], sizeof(double)) != 0) {
            set_key_num(L, I, -1, KEY_PARAM + (int)i, params[i]);
            I->w_last[i] = params[i];
        }
}

/* ---- reading a result ------------------------------------------------------ */

static double opt_num(lua_State *L, int idx, const char *k, const char *where, double dflt)
{
    int t = lua_getfield(L, idx, k);
    double v = dflt;
    if (t == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    else if (t != LUA_TNIL)
        luaL_error(L, "result %s%s must be a number, it is %s", where, k, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

static const char *opt_str(lua_State *L, int idx, const char *k, const char *where)
{
    int t = lua_getfield(L, idx, k);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t != LUA_TSTRING)
        luaL_error(L, "result %s%s must be a string, it is %s", where, k, luaL_typename(L, -1));
    /* Left on the stack, which keeps it alive: an __index metamethod may
     * have made it, and the next field read may run the collector (popping
     * it here was a use-after-free). The caller resets the stack. */
    return lua_tostring(L, -1);
}

/* reasons[i].fields: a string, or an array of strings joined by commas.
 * Leaves one value on the stack (the caller resets the stack). */
static const char *reason_fields(lua_State *L, int idx, int i)
{
    int t = lua_getfield(L, idx, "fields");
    if (t == LUA_TNIL)
        return "";
    if (t == LUA_TSTRING)
        return lua_tostring(L, -1);
    if (t != LUA_TTABLE)
        luaL_error(L, "result reasons[%d].fields must be a string or an array of strings", i);
    int fi = lua_absindex(L, -1);
    lua_Integer n = luaL_len(L, fi);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (lua_Integer k = 1; k <= n && k <= 64; k++) {
        if (k > 1)
            luaL_addchar(&b, ',');
        if (lua_rawgeti(L, fi, k) != LUA_TSTRING)
            luaL_error(L, "result reasons[%d].fields[%d] must be a string", i, (int)k);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

static void string_list(lua_State *L, int idx, const char *k, imv_result *r,
                        void (*add)(imv_result *, const char *))
{
    int t = lua_getfield(L, idx, k);
    if (t == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n && i <= IMV_MAX_ITEMS + 1; i++) {
            if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
                luaL_error(L, "result %s[%d] must be a string", k, (int)i);
            add(r, lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "result %s must be an array of strings", k);
    }
    lua_pop(L, 1);
}

/* Read the result at idx into r through the same host functions a C
 * plugin uses, so both get the same checks. */
static void read_result(lua_State *L, int idx, imv_result *r)
{
    const imv_host *h = imv_host_table();
    idx = lua_absindex(L, idx);
    int top = lua_gettop(L);
    if (lua_type(L, idx) == LUA_TNUMBER) {
        h->set_score(r, lua_tonumber(L, idx));
        return;
    }
    if (!lua_istable(L, idx))
        luaL_error(L, "score must return a table (or a number), it returned %s",
                   luaL_typename(L, idx));
    const char *e = opt_str(L, idx, "error", "");
    if (e) {
        h->set_error(r, e);
        lua_settop(L, top);
        return;
    }
    int t = lua_getfield(L, idx, "score");
    if (t != LUA_TNUMBER)
        luaL_error(L, "result score must be a number, it is %s", luaL_typename(L, -1));
    h->set_score(r, lua_tonumber(L, -1));
    lua_pop(L, 1);
    /* Score-only calls skip the reasons entirely: no field is pushed, so
     * nothing may be popped (popping here used to drop the result table). */
    t = r->score_only ? LUA_TNIL : lua_getfield(L, idx, "reasons");
    if (t == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n && i <= IMV_MAX_ITEMS + 1; i++) {
            char where[32];
            snprintf(where, sizeof where, "reasons[%d].", (int)i);
            if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
                luaL_error(L, "result reasons[%d] must be a table", (int)i);
            int ri = lua_absindex(L, -1);
            const char *f = reason_fields(L, ri, (int)i);
            double pts = opt_num(L, ri, "points", where, 0);
            const char *text = opt_str(L, ri, "text", where);
            const char *ev = opt_str(L, ri, "evidence", where);
            h->add_reason(r, f, pts, text, ev);
            lua_settop(L, ri - 1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "result reasons must be an array of tables");
    }
    if (!r->score_only)
        lua_pop(L, 1);
    string_list(L, idx, "unmet_preconditions", r, h->add_unmet);
    if (!r->score_only)
        string_list(L, idx, "risks", r, h->add_risk);
    t = lua_getfield(L, idx, "timeline");
    if (t == LUA_TTABLE) {
        int ti = lua_absindex(L, -1);
        h->set_timeline(r, opt_num(L, ti, "setup_months", "timeline.", IMV_UNKNOWN),
                        opt_num(L, ti, "months_to_fair", "timeline.", IMV_UNKNOWN),
                        opt_num(L, ti, "months_to_good", "timeline.", IMV_UNKNOWN));
    } else if (t != LUA_TNIL) {
        luaL_error(L, "result timeline must be a table");
    }
    lua_pop(L, 1);
    t = lua_getfield(L, idx, "partner");
    if (t == LUA_TTABLE && !r->score_only) {
        int pi = lua_absindex(L, -1);
        const char *id = opt_str(L, pi, "id", "partner.");
        double fit = opt_num(L, pi, "fit", "partner.", NAN);
        if (id)
            h->set_partner(r, id, fit);
    } else if (t != LUA_TNIL && t != LUA_TTABLE) {
        luaL_error(L, "result partner must be a table {id, fit}");
    }
    lua_settop(L, top);
}

/* ---- calls ------------------------------------------------------------------ */

typedef struct call {
    lua_inst *I;
    const imv_model *m;
    const imv_profile_view *const *v;
    const double *const *params;
    size_t n;
    imv_result *const *r;
    unsigned long key;
} call;

static int l_score(lua_State *L)
{
    call *c = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->I->ref_score);
    push_view(L, c->I, c->v[0], c->key);
    push_params(L, c->I, c->m, c->params[0]);
    lua_call(L, 2, 1);
    read_result(L, -1, c->r[0]);
    return 0;
}

static int l_batch(lua_State *L)
{
    call *c = lua_touserdata(L, 1);
    lua_inst *I = c->I;
    size_t np = c->m->n_params;
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_batch);
    /* ps: views of one profile share one base table (see push_copy) */
    lua_createtable(L, (int)c->n, 0);
    int ps = lua_gettop(L);
    lua_pushnil(L);
    int base = lua_gettop(L);
    size_t base_view = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (i == 0 || !same_base(c->v[i], c->v[base_view])) {
            push_profile(L, I, c->v[i]);
            lua_replace(L, base);
            base_view = i;
        }
        push_copy(L, I, base, c->v[i]);
        lua_rawseti(L, ps, (lua_Integer)i + 1);
    }
    lua_settop(L, ps);
    /* params_list: equal parameters share a table */
    lua_createtable(L, (int)c->n, 0);
    for (size_t i = 0; i < c->n; i++) {
        if (i > 0 && (c->params[i] == c->params[i - 1] ||
                      memcmp(c->params[i], c->params[i - 1], np * sizeof(double)) == 0))
            lua_rawgeti(L, -1, (lua_Integer)i);
        else
            push_params_new(L, I, c->m, c->params[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_call(L, 2, 1);
    if (!lua_istable(L, -1))
        return luaL_error(L, "score_batch must return an array of results");
    for (size_t i = 0; i < c->n; i++) {
        if (lua_rawgeti(L, -1, (lua_Integer)i + 1) == LUA_TNIL)
            return luaL_error(L, "score_batch returned no result for item %d", (int)i + 1);
        read_result(L, -1, c->r[i]);
        lua_pop(L, 1);
    }
    return 0;
}

/* One protected call of f(c) on a clean stack. */
static int pcall_once(lua_inst *I, lua_CFunction f, call *c)
{
    lua_State *L = I->L;
    I->c_spent = 0;
    I->cpu_hit = 0;
    I->cpu_start = thread_cpu();
    lua_settop(L, 0);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, c);
    return lua_pcall(L, 1, 0, 0);
}

/* The call without the count hook (see "the lazy budget").  Returns its
 * status, or -1 when it must be run again counting: then the results are
 * reset and the caches dropped. */
static int run_fast(lua_inst *I, lua_CFunction f, call *c)
{
    lua_State *L = I->L;
    struct timespec t0, t1;
    I->rerun = 0;
    lua_sethook(L, NULL, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atomic_signal_fence(memory_order_seq_cst);
    lazy_running = I;
    atomic_signal_fence(memory_order_seq_cst);
    int st = pcall_once(I, f, c);
    atomic_signal_fence(memory_order_seq_cst);
    lazy_running = NULL;
    atomic_signal_fence(memory_order_seq_cst);
    lua_sethook(L, NULL, 0, 0);     /* a tick that came after the call */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    I->calls++;
    if (!I->rerun && dt < I->lazy_limit)
        return st;
    I->reruns++;
    if (I->reruns >= 8 && I->reruns * 4 >= I->calls)
        I->lazy = 0;                /* long calls: count from now on */
    for (size_t i = 0; i < c->n; i++)
        imv_result_reset(c->r[i], c->r[i]->model, c->r[i]->score_only);
    I->cached_key = 0;
    I->w_n = 0;
    lua_settop(L, 0);
    return -1;
}

/* Run f(c) protected, with a fresh budget; on failure every result of
 * the call that has no error of its own gets the Lua message. */
static void run(lua_inst *I, lua_CFunction f, call *c)
{
    lua_State *L = I->L;
    int st = -1;
    if (I->lazy && lazy_thread_ready())
        st = run_fast(I, f, c);
    if (st < 0) {
        /* counted: the step is reset, whatever the last call left */
        if (I->budget > 0)
            lua_sethook(L, l_hook, LUA_MASKCOUNT, HOOK_STEP);
        I->left = I->budget;
        I->budget_hit = 0;
        st = pcall_once(I, f, c);
        if (I->lazy)
            lua_sethook(L, NULL, 0, 0);
    }
    if (st != LUA_OK) {
        char msg[600];
        lua_errmsg(L, st, I, msg, sizeof msg);
        /* error() takes any string: keep the output one line of UTF-8. */
        for (size_t i = 0; i < c->n; i++)
            if (!c->r[i]->error) {
                c->r[i]->error = imv_text_oneline(msg, strlen(msg), IMV_MAX_TEXT);
            }
        /* A table built half-way may be inconsistent: forget the caches. */
        I->cached_key = 0;
        I->w_n = 0;
    }
    lua_settop(L, 0);
    /* Give memory back between calls so one large profile does not count
     * against the cap of the next. */
    if (I->cap && I->mem > I->cap / 2)
        lua_gc(L, LUA_GCCOLLECT);
}

static void lua_score(const imv_model *m, void *inst, const imv_profile_view *v,
                      unsigned long key, const double *params, imv_result *r)
{
    call c = {.I = inst, .m = m, .v = &v, .params = &params, .n = 1, .r = &r, .key = key};
    run(inst, l_score, &c);
}

static void lua_score_batch(const imv_model *m, void *inst, const imv_profile_view *const *v,
                            const double *const *params, size_t n, imv_result *const *r)
{
    call c = {.I = inst, .m = m, .v = v, .params = params, .n = n, .r = r};
    run(inst, l_batch, &c);
}

/* Intern the model's parameter names in the keys table (KEY_PARAM + j). */
static int l_intern_params(lua_State *L)
{
    const lua_inst *I = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_keys);
    for (size_t i = 0; i < I->model->n_params; i++) {
        lua_pushstring(L, I->model->params[i].name);
        lua_rawseti(L, -2, KEY_PARAM + (lua_Integer)i);
    }
    return 0;
}

static int lua_instance_new(const imv_model *m, void **inst, char *err, size_t errlen)
{
    lua_inst *I;
    int rc = inst_create(m->cls, m->limits->lua_instructions, m->limits->lua_memory, &I, err,
                         errlen);
    if (rc == IMV_OK) {
        I->model = m;
        lua_pushcfunction(I->L, l_intern_params);
        lua_pushlightuserdata(I->L, I);
        if (lua_pcall(I->L, 1, 0, 0) != LUA_OK) {
            snprintf(err, errlen, "cannot set up the Lua state (memory cap too small?)");
            inst_free(I);
            I = NULL;
            rc = IMV_ENOMEM;
        }
    }
    *inst = rc == IMV_OK ? I : NULL;
    return rc;
}

static void lua_unload(imv_model *m)
{
    lua_cls *c = m->cls;
    if (!c)
        return;
    free(c->src);
    free(c->chunkname);
    free(c);
    m->cls = NULL;
}

static const imv_backend lua_backend = {
    .language = "lua",
    .instance_new = lua_instance_new,
    .instance_free = inst_free,
    .score = lua_score,
    .score_batch = lua_score_batch,
    .unload = lua_unload,
};

static char *read_script(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    char *buf = imv_xmalloc(MAX_SCRIPT + 1);
    size_t n = fread(buf, 1, MAX_SCRIPT + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > MAX_SCRIPT) {
        snprintf(err, errlen, bad ? "read error" : "script larger than %u KiB", MAX_SCRIPT >> 10);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int imv_lua_load(imv_model *m, const char *path, const imv_limits *limits, char *err,
                 size_t errlen)
{
    lua_cls *c = imv_xcalloc(1, sizeof *c);
    c->src = read_script(path, &c->len, err, errlen);
    if (!c->src) {
        free(c);
        return IMV_EIO;
    }
    if (c->len && c->src[0] == LUA_SIGNATURE[0]) {
        snprintf(err, errlen, "precompiled Lua bytecode is refused: give the .lua source");
        free(c->src);
        free(c);
        return IMV_EPLUGIN;
    }
    const char *base = strrchr(path, '/');
    c->chunkname = imv_xasprintf("@%s", base ? base + 1 : path);
    m->cls = c;
    m->be = &lua_backend;
    lua_inst *I = NULL;
    int rc = inst_create(c, limits->lua_instructions, limits->lua_memory, &I, err, errlen);
    if (rc)
        return rc;    /* the caller frees m, and with it c */
    decl d = {.I = I};
    lua_pushcfunction(I->L, l_read_decl);
    lua_pushlightuserdata(I->L, &d);
    int st = lua_pcall(I->L, 1, 0, 0);
    if (st != LUA_OK) {
        lua_errmsg(I->L, st, I, err, errlen);
        rc = IMV_EPLUGIN;
    } else {
        rc = imv_model_init(m, path, d.s[0], d.s[1], d.s[2], d.s[3], d.s[4], d.params,
                            d.n_params, err, errlen);
        m->has_batch = I->ref_batch != LUA_NOREF;
    }
    inst_free(I);
    return rc;
}
