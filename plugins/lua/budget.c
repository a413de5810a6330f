/*
 * budget.c - the Lua host's instruction budget and CPU ceiling: the count
 * hook of counted calls, and the per-thread CPU tick of lazy ones.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lua_host.h"

double imv_lua_thread_cpu(void)
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
double imv_lua_cpu_ceiling(long budget)
{
    return 10.0 + (double)budget * 1e-6;
}

/* The count hook of counted calls: every HOOK_STEP instructions, and
 * at once when the tick found the CPU ceiling passed.  Without a tick
 * timer (see imv_lua_call_begin) the clock is read every 8 hooks. */
void imv_lua_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lh_inst *I = LH_INST(L);
    if (I->cpu_hit || (!I->ticking && (++I->hooks & 7) == 0 && I->budget > 0 &&
                       imv_lua_thread_cpu() - I->cpu_start > imv_lua_cpu_ceiling(I->budget))) {
        if (!I->cpu_hit)
            I->cpu_hit = 1;
        /* as below: every instruction raises it now */
        lua_sethook(L, imv_lua_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "CPU time ceiling exceeded");
    }
    I->left -= HOOK_STEP;
    if (I->left < 0) {
        if (!I->budget_hit) {
            /* A script can catch this error with pcall and loop on; from
             * now on every instruction raises it again, so no Lua code runs
             * to completion until run() restores the normal step. */
            I->budget_hit = 1;
            lua_sethook(L, imv_lua_hook, LUA_MASKCOUNT, 1);
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

#define LAZY_TICK_NS 10000000L /* 10 ms of the thread's CPU time */

static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;
static int lazy_signo, lazy_ok;
static pthread_key_t lazy_key;                  /* a thread's timer, deleted when it exits */
static atomic_uint lazy_fork_gen;               /* timers are not inherited by fork */
static _Thread_local lh_inst *volatile running; /* the call the tick may stop */
static _Thread_local unsigned lazy_timer_gen, lazy_timer_failed;

static void l_hook_abort(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lh_inst *I = LH_INST(L);
    I->rerun = 1;
    luaL_error(L, "interrupted, to be run again counting instructions");
}

/* Every LAZY_TICK_NS of the thread's CPU time.  A lazy call is stopped
 * (to be run again counting); a counted one has used one more tick of its
 * CPU ceiling, and when it has used them all, its next instruction raises
 * the ceiling's error: reading the clock in the hook instead cost a system
 * call, and every 8,000 instructions was too seldom when one instruction
 * is a long C call (a loop of them ran 875 s past a 20 s ceiling). */
static void lazy_on_tick(int sig)
{
    (void)sig;
    int saved = errno;
    lh_inst *I = running;
    if (I && I->lazy_call) {
        lua_sethook(I->L, l_hook_abort, LUA_MASKCOUNT, 1);
    } else if (I && I->budget > 0 && ++I->ticks >= I->tick_limit && !I->cpu_hit) {
        I->cpu_hit = 1;
        lua_sethook(I->L, imv_lua_hook, LUA_MASKCOUNT, 1);
    }
    errno = saved;
}

/* A thread's timer lives in a thread-local, not on the heap: the main
 * thread runs no key destructors at exit, and its timer (made when a
 * model is loaded) leaked. */
static _Thread_local timer_t lazy_timer;

static void lazy_timer_free(void *p)
{
    timer_t *t = p;
    timer_delete(*t);
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
int imv_lua_lazy_ready(void)
{
    pthread_once(&lazy_once, lazy_init);
    if (!lazy_ok)
        return 0;
    unsigned gen = atomic_load_explicit(&lazy_fork_gen, memory_order_relaxed) + 1;
    if (lazy_timer_gen == gen)
        return 1;
    if (lazy_timer_failed == gen)
        return 0;
    timer_t *t = &lazy_timer;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = lazy_signo;
    sev._sigev_un._tid = gettid(); /* sigev_notify_thread_id, in newer headers */
    struct itimerspec its = {{0, LAZY_TICK_NS}, {0, LAZY_TICK_NS}};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, lazy_signo);
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, t) != 0) {
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

void imv_lua_call_begin(lh_inst *I, int lazy)
{
    I->lazy_call = lazy;
    I->cpu_hit = 0;
    I->budget_hit = 0; /* the last call's, which would misname this one's error */
    I->total_hit = 0;
    I->ticks = 0;
    I->ticking = lazy || (I->budget > 0 && imv_lua_lazy_ready());
    if (!I->ticking && I->budget > 0)
        I->cpu_start = imv_lua_thread_cpu(); /* the hook reads the clock */
    I->tick_limit = (long)(imv_lua_cpu_ceiling(I->budget) * 1e9 / LAZY_TICK_NS) + 1;
    atomic_signal_fence(memory_order_seq_cst);
    running = I;
    atomic_signal_fence(memory_order_seq_cst);
}

void imv_lua_call_end(void)
{
    atomic_signal_fence(memory_order_seq_cst);
    running = NULL;
    atomic_signal_fence(memory_order_seq_cst);
}
