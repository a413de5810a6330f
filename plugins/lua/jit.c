/*
 * jit.c - the JIT host's score-only batches (compiled under -DIMV_LUAJIT
 * only, for build/imeval-luajit; empty in imeval's own Lua 5.4 build).
 *
 * Calling into Lua from C costs more per draw than a bundled model's
 * JIT-compiled body, so a batch of views of one profile runs as one
 * protected call of a trusted loop (LOOP_HEAD below, built once per
 * state): it writes each draw's ratings (and, when they vary, parameters)
 * into the reused p.ratings and params tables, reading them from arrays
 * the host fills (through LuaJIT's ffi, captured by the loop and reachable
 * from nothing the model can see), calls score(p, params) and stores what
 * the engine needs of the result in preallocated slots.
 *
 * The host vouches only for the common case.  A view is declined
 * (r->declined: the parent scores it on the Lua 5.4 reference engine) when
 * it is not score-only, when its call raised any error,
 * when its result is anything but the plain shape that imv_lua_read_result
 * would read the same way (see check in LOOP_HEAD), or when the call took
 * long enough that it might have passed the instruction budget.
 *
 * The budget under the JIT.  A count hook does not fire inside compiled
 * traces.  Instead, while a batch runs, a timer on the monotonic clock
 * (a high-resolution one: delivered within microseconds) ticks every
 * 0.9 x budget / JIT_RATE seconds, and the
 * loop reads the count (a volatile load, no call) around each call: a
 * call that saw no tick took less than a tick plus the signal's delivery,
 * so less than budget / JIT_RATE seconds of wall time, hence of CPU time, and so cannot have run more than the
 * budget's instructions (JIT_RATE bounds how many Lua 5.4 VM
 * instructions' worth of work compiled code does in a second); any other
 * call is declined: a tick lands in a few of every 10,000 of a bundled
 * model's draws (0.03-0.2 % measured: 0.6-1 us against a tick of 225 us
 * at the default budget), which the parent scores on Lua 5.4.  The loop
 * does not branch on the count: it stores the ticks each call saw and
 * the host declines after the loop.  A branch there made which side
 * traces LuaJIT compiled depend on when the timer fired: a run's traces,
 * and any fault in them, changed from run to run.  Ticking
 * twice as often to vouch for those too cost more: a signal is dear on
 * this machine (8,000 a second of a batch added 30-50 % to a draw).  (A timer on the CPU clock cannot vouch for a call:
 * the kernel checks those at its own tick, every few milliseconds.)  A
 * batch of k calls that uses more than k x budget / JIT_RATE seconds of
 * the thread's CPU (at least JIT_FLOOR) is a runaway: a one-shot timer on
 * that clock ends the process from its signal handler with
 * IMV_JIT_OVERRUN_EXIT (_exit is async-signal-safe; unwinding out of a
 * trace is not), and the parent
 * declines the whole batch.  The memory cap holds by the allocator,
 * which ends the worker the same way (IMV_JIT_MEMORY_EXIT says why).  The
 * JIT host never runs a counted call.
 */
#ifdef IMV_LUAJIT

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../jit_worker.h"
#include "lua_host.h"

/* Lua 5.4 VM instructions' worth of work a second, an upper bound for
 * compiled code: the bundled models' bodies run 12-15x faster under the
 * JIT than under the 5.4 VM, which does well under 4e9 a second here
 * (budget.c's LAZY_MAX_RATE); the tightest compiled loop, an empty one,
 * retires one iteration (two VM instructions) a cycle, under 1e10 a
 * second at 5 GHz.  4e10 leaves a factor of four over that. */
#define JIT_RATE 4e10
/* The least CPU time a batch gets, however small its budget: less would
 * end healthy workers whose batch met a page fault or a cold cache. */
#define JIT_FLOOR 0.005
/* The shortest tick: more often, the signals would cost more than the
 * draws (a budget that small declines every view instead).  At the
 * default budget a tick is 225 us: 4,400 signals a second of a batch. */
#define JIT_MIN_TICK 20e-6

/* A call's slots: accepted, score, n_unmet, text bytes, 3 months, ticks
 * (64 bytes, a cache line).  The loop writes every slot of a call that
 * returned, so a draw's slots need no clearing first (that was a memset of
 * 150 KB a batch of draws); which call raised, the loop's progress says. */
#define OUT_STRIDE 8

/* ---- the allowance -------------------------------------------------------------- */

static volatile sig_atomic_t jit_ticks; /* wall-clock ticks of the running batch */
static timer_t jit_tick_timer, jit_cpu_timer;
static int jit_timer_state; /* 0 not made yet, 1 made, -1 cannot be */
static pid_t jit_timer_tid; /* the thread they are for */
static pid_t jit_timer_pid; /* timers are not inherited by fork */

/* Every tick of the monotonic clock.  A call is vouched for only if the
 * count did not move while it ran (allowance_start's maxd is 0), so a
 * late signal's overruns change nothing and are not asked for: that was
 * a system call in every tick. */
static void jit_on_tick(int sig)
{
    (void)sig;
    jit_ticks++;
}

/* The batch's CPU time is spent. */
static void jit_on_overrun(int sig)
{
    (void)sig;
    _exit(IMV_JIT_OVERRUN_EXIT);
}

/* A timer on clock that signals this thread with sig, handled by f. */
static int make_timer(clockid_t clock, int sig, void (*f)(int), timer_t *t)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = f;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = sig;
    sev._sigev_un._tid = gettid();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    return sig <= SIGRTMAX && sigaction(sig, &sa, NULL) == 0 &&
           pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0 && timer_create(clock, &sev, t) == 0;
}

/* This thread's two timers, made on first use; 0 when there are none
 * (then nothing can be vouched for, and every view is declined). */
static int timers_ready(void)
{
    if (jit_timer_state != 0 && jit_timer_pid != getpid())
        jit_timer_state = 0;
    if (jit_timer_state == 0) {
        jit_timer_state = -1;
        if (make_timer(CLOCK_MONOTONIC, SIGRTMIN + 8, jit_on_tick, &jit_tick_timer) &&
            make_timer(CLOCK_THREAD_CPUTIME_ID, SIGRTMIN + 9, jit_on_overrun, &jit_cpu_timer)) {
            jit_timer_state = 1;
            jit_timer_tid = gettid();
            jit_timer_pid = getpid();
        }
    }
    return jit_timer_state == 1 && jit_timer_tid == gettid();
}

/* Arm t to expire after `first` seconds, then every `every` (0: once). */
static void timer_set(timer_t t, double first, double every)
{
    struct timespec a = {(time_t)first, (long)((first - floor(first)) * 1e9)};
    struct timespec b = {(time_t)every, (long)((every - floor(every)) * 1e9)};
    struct itimerspec its = {b, a};
    timer_settime(t, 0, &its, NULL);
}

/* Start the allowance of a batch of n calls.  *maxd is how many ticks a
 * call may see and still be vouched for: none (jit_on_tick counts on
 * that), or any when there is no budget.  0 (the function's) when no view
 * can be. */
static int allowance_start(const lh_inst *I, size_t n, double *maxd)
{
    if (I->budget <= 0) {
        *maxd = HUGE_VAL; /* no budget, nothing to hold to */
        return 1;
    }
    double per = (double)I->budget / JIT_RATE; /* the most a call may take */
    /* A call that saw no tick took less than a tick plus the signal's
     * delivery (microseconds: the thread is running), under per. */
    double tick = per * 0.9;
    if (tick < JIT_MIN_TICK || !timers_ready())
        return 0;
    jit_ticks = 0;
    *maxd = 0;
    timer_set(jit_cpu_timer, fmax(per * (double)n, JIT_FLOOR), 0);
    timer_set(jit_tick_timer, tick, tick);
    return 1;
}

static void allowance_end(const lh_inst *I)
{
    if (I->budget > 0) {
        timer_set(jit_tick_timer, 0, 0);
        timer_set(jit_cpu_timer, 0, 0);
    }
}

/* ---- the loop ------------------------------------------------------------------- */

/* Run with (ffi, score, text_ok, IMV_MAX_ITEMS, IMV_MAX_RESULT_TEXT,
 * IMV_UNKNOWN); returns the loop.  check(res, u2) accepts exactly the results
 * imv_lua_read_results reads without error and without a metamethod in a
 * score-only call: a finite number, alone or followed by unmet
 * preconditions as below, or a table (alone) without a metatable and
 * without `error`, with a finite number score, unmet_preconditions nil, a
 * valid text or a proper sequence of valid texts (text_ok: as check_text
 * of core/result.c), timeline nil or a table of numbers or nils, partner
 * nil or a table.  Tables are indexed only once they are known to have no
 * metatable, so plainly (rawget is the sandbox's wrapper, a C function). */
static const char loop_head[] =
    "local ffi, score, text_ok, MAXU, MAXT, UNK = ...\n"
    "local cast, type, next, getmetatable = ffi.cast, type, next, getmetatable\n"
    "local huge = math.huge\n"
    "local dp, tp = ffi.typeof('double *'), ffi.typeof('volatile int *')\n"
    "local memo, nmemo = {}, 0\n"
    "local function text(s)\n"
    "  local n = memo[s]\n"
    "  if n == nil then\n"
    "    n = text_ok(s)\n"
    "    if nmemo >= 4096 then memo, nmemo = {}, 0 end\n"
    "    memo[s] = n; nmemo = nmemo + 1\n"
    "  end\n"
    "  return n\n"
    "end\n"
    "local function months(t, k)\n"
    "  local x = t[k]\n"
    "  if x == nil then return UNK, true end\n"
    "  return x, type(x) == 'number'\n"
    "end\n"
    "local function unmet(u)\n"
    "  if type(u) == 'string' then\n"
    "    local n = text(u)\n"
    "    if not n then return nil end\n"
    "    return 1, n\n"
    "  end\n"
    "  if type(u) ~= 'table' or getmetatable(u) ~= nil then return nil end\n"
    "  local nu, c, tb = #u, 0, 0\n"
    "  if nu > MAXU then return nil end\n"
    "  for k, s in next, u do\n"
    "    c = c + 1\n"
    "    if type(k) ~= 'number' or k < 1 or k > nu or k % 1 ~= 0 or type(s) ~= 'string' then\n"
    "      return nil\n"
    "    end\n"
    "    local n = text(s)\n"
    "    if not n then return nil end\n"
    "    tb = tb + n\n"
    "  end\n"
    "  if c ~= nu or tb > MAXT then return nil end\n"
    "  return nu, tb\n"
    "end\n"
    "local function check(res, u2)\n"
    "  if type(res) == 'number' then\n"
    "    if not (res > -huge and res < huge) then return false end\n"
    "    local nu, tb = 0, 0\n"
    "    if u2 ~= nil then\n"
    "      nu, tb = unmet(u2)\n"
    "      if not nu then return false end\n"
    "    end\n"
    "    return true, res, nu, tb, UNK, UNK, UNK\n"
    "  end\n"
    "  if u2 ~= nil or type(res) ~= 'table' or getmetatable(res) ~= nil or res.error ~= nil then\n"
    "    return false\n"
    "  end\n"
    "  local sc = res.score\n"
    "  if type(sc) ~= 'number' or not (sc > -huge and sc < huge) then return false end\n"
    "  local nu, tb = 0, 0\n"
    "  local u = res.unmet_preconditions\n"
    "  if u ~= nil then\n"
    "    nu, tb = unmet(u)\n"
    "    if not nu then return false end\n"
    "  end\n"
    "  local s1, s2, s3 = UNK, UNK, UNK\n"
    "  local tl = res.timeline\n"
    "  if tl ~= nil then\n"
    "    if type(tl) ~= 'table' or getmetatable(tl) ~= nil then return false end\n"
    "    local ok1, ok2, ok3\n"
    "    s1, ok1 = months(tl, 'setup_months')\n"
    "    s2, ok2 = months(tl, 'months_to_fair')\n"
    "    s3, ok3 = months(tl, 'months_to_good')\n"
    "    if not (ok1 and ok2 and ok3) then return false end\n"
    "  end\n"
    "  local pa = res.partner\n"
    "  if pa ~= nil and type(pa) ~= 'table' then return false end\n"
    "  return true, sc, nu, tb, s1, s2, s3\n"
    "end\n"
    "return function(p, rt, w, keys, kp, np, vary, R, P, OUT, TICK, PROG, from, to)\n"
    "  R, P, OUT, TICK = cast(dp, R), cast(dp, P), cast(dp, OUT), cast(tp, TICK)\n"
    "  PROG = cast(dp, PROG)\n"
    "  for i = from, to - 1 do\n";
/* then "    local o, b = i * OUT_STRIDE, i * IMV_R_COUNT", "    PROG[0] = i",
 * one line a rating, "    rt['name'] = R[b + i]\n", then: */
static const char loop_tail[] = "    if vary then\n"
                                "      local q = i * np\n"
                                "      for j = 0, np - 1 do w[keys[kp + j]] = P[q + j] end\n"
                                "    end\n"
                                "    local t0 = TICK[0]\n"
                                "    local res, u2 = score(p, w)\n"
                                "    OUT[o + 7] = TICK[0] - t0\n"
                                "    local ok, sc, nu, tb, s1, s2, s3 = check(res, u2)\n"
                                "    if ok then\n"
                                "      OUT[o] = 1; OUT[o + 1] = sc; OUT[o + 2] = nu; OUT[o + 3] = tb\n"
                                "      OUT[o + 4] = s1; OUT[o + 5] = s2; OUT[o + 6] = s3\n"
                                "    else\n"
                                "      OUT[o] = 0\n"
                                "    end\n"
                                "  end\n"
                                "end\n";

/* text_ok(s) -> the bytes check_text (core/result.c) counts of s, or
 * false when it would refuse s. */
static int l_text_ok(lua_State *L)
{
    const char *s = luaL_checkstring(L, 1);
    size_t n = strnlen(s, IMV_MAX_TEXT + 1);
    if (n > IMV_MAX_TEXT || !imv_utf8_valid(s, n))
        lua_pushboolean(L, 0);
    else
        lua_pushnumber(L, (lua_Number)n);
    return 1;
}

/* Protected: build the loop of I's model and keep it (I->ref_loop). */
static int l_make_loop(lua_State *L)
{
    lh_inst *I = lua_touserdata(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, loop_head);
    char strides[96];
    /* from the C constants: a stride the host does not use would write
     * outside its buffer */
    snprintf(strides, sizeof strides, "    local o, b = i * %d, i * %d\n    PROG[0] = i\n",
             OUT_STRIDE, IMV_R_COUNT);
    luaL_addstring(&b, strides);
    for (int i = 0; i < IMV_R_COUNT; i++) {
        char line[96];
        snprintf(line, sizeof line, "    rt['%s'] = R[b + %d]\n", imv_rating_name(i), i);
        luaL_addstring(&b, line);
    }
    luaL_addstring(&b, loop_tail);
    luaL_pushresult(&b);
    size_t len;
    const char *src = lua_tolstring(L, -1, &len);
    if (luaL_loadbufferx(L, src, len, "=imeval batch loop", "t") != LUA_OK)
        return lua_error(L);
    lua_pushcfunction(L, luaopen_ffi);
    lua_call(L, 0, 1);
    /* Anchored for the state's life: Debian 12's LuaJIT keeps ffi's cdata
     * finalizer table alive only through the module (the environment of
     * ffi.gc), not as a GC root (LuaJIT issue 1168, fixed upstream in
     * March 2024).  The loop keeps ffi.cast, not the module, so the table
     * was collected and lua_close then walked freed memory: now and then a
     * SIGBUS at the end of a run. */
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "imeval.ffi");
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_score);
    lua_pushcfunction(L, l_text_ok);
    lua_pushnumber(L, IMV_MAX_ITEMS);
    lua_pushnumber(L, IMV_MAX_RESULT_TEXT);
    lua_pushnumber(L, IMV_UNKNOWN);
    lua_call(L, 6, 1);
    I->ref_loop = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* ---- the compiler's limits ------------------------------------------------------ */

/* The batch loop's root trace holds a whole draw of the model, and every
 * branch a draw's ratings decide (a clamp, a threshold, the sign that
 * picks a reason's text) adds side traces, one for each path the draws
 * take.  peer_support and strategic_partnership take more paths than
 * LuaJIT's defaults allow: past 100 side traces of one root (maxside) a
 * new hot exit gets a stub back to the interpreter, which then runs the
 * rest of the draw, the loop's ffi stores included, many times slower
 * (the interpreter had 40-60 % of their samples); past 1,000 traces or
 * 512 KB of machine code, every trace is flushed and compiled again.
 * Measured on the national scenario's 153 all-range profiles x 10,000
 * draws (lua_scores_jit --time, two runs each): peer_support 386-534 ->
 * 213-294 ns a draw, strategic_partnership 320-350 -> 173-261 ns, trust
 * (fewer paths) unchanged, the interpreter's share about 2 %.  The traces'
 * IR and snapshots come from the state's allocator (machine code does
 * not): the national scenario's peaked at 7.5 MB against 3 MB with the
 * defaults, so the limits are raised only when the cap leaves that room
 * beside the model's own memory (the default 32 MiB or more, or none). */
static const char *const jit_limits[] = {"maxside=1000", "maxtrace=4000", "maxmcode=4096"};
#define JIT_LIMITS_MIN_CAP ((size_t)32 << 20)

void imv_lua_jit_tune(lua_State *L)
{
    lh_inst *I = LH_INST(L);
    if (!I || (I->cap && I->cap < JIT_LIMITS_MIN_CAP))
        return;
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getfield(L, -1, "jit.opt");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "start");
        size_t n = sizeof jit_limits / sizeof *jit_limits;
        for (size_t i = 0; i < n; i++)
            lua_pushstring(L, jit_limits[i]);
        /* A LuaJIT that refused them runs with its defaults: slower, the
         * same figures. */
        if (lua_pcall(L, (int)n, 0, 0) == LUA_OK)
            I->jit_tuned = 1;
        else
            lua_pop(L, 1);
    }
    lua_pop(L, 2);
}

int imv_lua_jit_setup(lh_inst *I)
{
    /* The sandbox removed the loaded-modules table, so opening ffi here
     * registers it nowhere the model can reach: the loop's upvalues and
     * the registry (l_make_loop) are its only holders. */
    int st = imv_lua_pcall(I, l_make_loop, I, 0);
    lua_sethook(I->L, NULL, 0, 0); /* the load's: counting ends here */
    luaJIT_setmode(I->L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_ON);
    return st;
}

/* ---- a batch ---------------------------------------------------------------------- */

/* One span of views of one profile, [from, to), run by one call of the loop. */
typedef struct span {
    lh_inst *I;
    const imv_model *m;
    const imv_profile_view *v; /* views[from] */
    const double *params;      /* params[from] */
    int vary;                  /* the parameters differ within the span */
    const double *R, *P;       /* every view's ratings, and (vary) parameters */
    double *out;
    size_t from, to;
    double prog; /* the view whose call the loop began last */
} span;

static int l_span(lua_State *L)
{
    span *s = lua_touserdata(L, 1);
    lh_inst *I = s->I;
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_loop);
    imv_lua_push_profile(L, I, s->v);
    push_key(L, I, KEY_RATINGS);
    lua_rawget(L, -2);
    imv_lua_push_params_new(L, I, s->m, s->params);
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_keys);
    lua_pushnumber(L, KEY_PARAM);
    lua_pushnumber(L, (lua_Number)s->m->n_params);
    lua_pushboolean(L, s->vary);
    lua_pushlightuserdata(L, (void *)s->R); /* the loop only reads them */
    lua_pushlightuserdata(L, (void *)s->P);
    lua_pushlightuserdata(L, s->out);
    lua_pushlightuserdata(L, (void *)&jit_ticks);
    lua_pushlightuserdata(L, &s->prog);
    lua_pushnumber(L, (lua_Number)s->from);
    lua_pushnumber(L, (lua_Number)s->to);
    lua_call(L, 14, 0);
    return 0;
}

/* Run the span; returns where the next span starts: after the view whose
 * call raised (declined here), or at s->to.  The slots of the views before
 * it were all written by the loop. */
static size_t run_span(span *s)
{
    /* The C work charged (sandbox.c) is counted per span, not per draw:
     * no draw can then pass a charge the 5.4 host would refuse it; one
     * that meets the span's is declined. */
    s->I->c_spent = 0;
    s->prog = -1; /* (raised before any call: the first view is blamed) */
    if (imv_lua_pcall(s->I, l_span, s, 0) == LUA_OK)
        return s->to;
    size_t k = s->prog >= (double)s->from && s->prog < (double)s->to ? (size_t)s->prog : s->from;
    s->out[k * OUT_STRIDE] = 0;
    return k + 1;
}

static void run_all(lh_inst *I, const imv_model *m, const imv_profile_view *const *v,
                    const double *const *params, size_t n, double *buf)
{
    size_t np = m->n_params;
    span s = {.I = I, .m = m, .R = buf, .P = buf + n * IMV_R_COUNT};
    s.out = buf + n * (IMV_R_COUNT + np);
    size_t i = 0;
    while (i < n && !I->dead) {
        if (!(v[i]->flags & IMV_VIEW_SCORE_ONLY)) {
            i++; /* declined: the loop knows score-only calls only */
            continue;
        }
        s.from = i;
        s.to = i + 1;
        s.vary = 0;
        while (s.to < n && (v[s.to]->flags & IMV_VIEW_SCORE_ONLY) &&
               imv_lua_same_base(v[s.to], v[i])) {
            s.vary |= params[s.to] != params[i] &&
                      memcmp(params[s.to], params[i], np * sizeof(double));
            s.to++;
        }
        s.v = v[i];
        s.params = params[i];
        size_t to = s.to;
        while (s.from < to && !I->dead)
            s.from = run_span(&s);
        i = to;
    }
}

/* What the loop left in out[i] into r: accepted when the call saw at
 * most maxd ticks, else declined. */
/* 1 when the loop accepted the call whose slots are o and the call saw
 * at most maxd ticks: what the host vouches for. */
static int vouched(const double *o, double maxd)
{
    return o[0] == 1 && o[OUT_STRIDE - 1] <= maxd;
}

static void take_result(const double *o, double maxd, imv_result *r)
{
    if (!vouched(o, maxd) || !r->score_only || r->unmet) {
        r->declined = 1;
        return;
    }
    r->has_score = 1;
    r->score = o[1];
    r->n_unmet = (size_t)o[2];
    r->text_bytes = (size_t)o[3];
    r->setup_months = o[4];
    r->months_to_fair = o[5];
    r->months_to_good = o[6];
}

/* I's batch arrays, at least need doubles: kept, since a batch of draws
 * needs some 400 KB. */
static double *jit_room(lh_inst *I, size_t need)
{
    if (need > I->jit_cap) {
        free(I->jit_buf);
        I->jit_cap = need;
        I->jit_buf = imv_xmalloc(I->jit_cap * sizeof *I->jit_buf);
    }
    return I->jit_buf;
}

static int loop_usable(const lh_inst *I)
{
    return !I->dead && I->ref_loop != LUA_NOREF && I->ref_batch == LUA_NOREF;
}

/* As run() does: one large profile must not count against the next. */
static void after_batch(lh_inst *I)
{
    if (!I->dead && I->cap && I->mem > I->cap / 2)
        lua_gc(I->L, LUA_GCCOLLECT, 0);
}

void imv_lua_jit_batch(const imv_model *m, lh_inst *I, const imv_profile_view *const *v,
                       const double *const *params, size_t n, imv_result *const *r)
{
    size_t np = m->n_params, stride = IMV_R_COUNT + np + OUT_STRIDE;
    double *buf = jit_room(I, n ? n * stride : 1);
    double *out = buf + n * (IMV_R_COUNT + np);
    /* The slots start empty (the ratings and parameters are all written). */
    memset(out, 0, n * OUT_STRIDE * sizeof *out);
    double maxd = 0;
    if (loop_usable(I) && allowance_start(I, n, &maxd)) {
        for (size_t i = 0; i < n; i++) {
            memcpy(buf + i * IMV_R_COUNT, v[i]->ratings, IMV_R_COUNT * sizeof(double));
            if (np)
                memcpy(buf + n * IMV_R_COUNT + i * np, params[i], np * sizeof(double));
        }
        I->in_batch = 1;
        run_all(I, m, v, params, n, buf);
        I->in_batch = 0;
        allowance_end(I);
    }
    for (size_t i = 0; i < n; i++)
        take_result(out + i * OUT_STRIDE, maxd, r[i]);
    after_batch(I);
}

/* What the loop left in o, as an answer: declined unless the call was
 * accepted and saw at most maxd ticks (take_result's rule). */
static void take_answer(const double *o, double maxd, imv_draw_answer *a)
{
    if (!vouched(o, maxd)) {
        *a = (imv_draw_answer){.declined = 1,
                               .setup_months = IMV_UNKNOWN,
                               .months_to_fair = IMV_UNKNOWN,
                               .months_to_good = IMV_UNKNOWN};
        return;
    }
    *a = (imv_draw_answer){.has_score = 1,
                           .n_unmet = (uint32_t)o[2],
                           .score = o[1],
                           .setup_months = o[4],
                           .months_to_fair = o[5],
                           .months_to_good = o[6]};
}

/* The draws run as one span over the arrays they came in (the request,
 * read-only): no view is made or compared, no result reset. */
void imv_lua_jit_draws(const imv_model *m, lh_inst *I, const imv_profile_view *base,
                       const double *ratings, const double *params, const double *vary, size_t n,
                       imv_draw_answer *out)
{
    double *o = jit_room(I, n ? n * OUT_STRIDE : 1);
    double maxd = 0;
    size_t ran = 0; /* the slots [0, ran) are written; the rest are declined */
    if (n && (base->flags & IMV_VIEW_SCORE_ONLY) && loop_usable(I) && allowance_start(I, n, &maxd)) {
        span s = {.I = I,
                  .m = m,
                  .v = base,
                  .params = vary ? vary : params,
                  .vary = vary != NULL,
                  .R = ratings,
                  .P = vary ? vary : params,
                  .out = o,
                  .from = 0,
                  .to = n};
        I->in_batch = 1;
        while (s.from < n && !I->dead)
            s.from = run_span(&s);
        ran = s.from;
        I->in_batch = 0;
        allowance_end(I);
    }
    for (size_t i = 0; i < ran; i++)
        take_answer(o + i * OUT_STRIDE, maxd, &out[i]);
    static const double unrun[OUT_STRIDE]; /* not accepted */
    for (size_t i = ran; i < n; i++)
        take_answer(unrun, maxd, &out[i]);
    after_batch(I);
}

#endif
