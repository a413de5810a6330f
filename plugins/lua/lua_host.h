/*
 * lua_host.h - private to the Lua host (plugins/lua/): the instance a
 * model's Lua state belongs to, and what the five parts hand each other.
 *
 *   host.c     the backend: load, instances, protected calls, errors
 *   sandbox.c  allow-lists, charged C functions, sorted pairs, the imeval library
 *   budget.c   the count hook, the lazy CPU tick, the CPU ceiling
 *   alloc.c    the capped slab allocator
 *   marshal.c  profile view -> p table, result table -> imv_result
 *
 * Nothing here is part of the engine's API: only host.c's imv_lua_load is
 * called from outside (core/internal.h).
 */
#ifndef IMV_LUA_HOST_H
#define IMV_LUA_HOST_H

#include <signal.h>
#include <stddef.h>

#include "../../core/internal.h"
#include "compat.h"

#define HOOK_STEP 1000

typedef struct lh_cls {
    char *src;
    size_t len;
    char *chunkname;
} lh_cls;

typedef struct lh_inst {
    lua_State *L;
    size_t mem, cap;
    size_t total_cap; /* all states of the process together; 0 none */
    size_t reserved;  /* what this state holds of that pool */
    int total_hit;    /* an allocation was refused by the overall cap */
    long budget, left;
    int budget_hit;
    volatile sig_atomic_t cpu_hit;   /* the call passed its CPU ceiling */
    volatile sig_atomic_t lazy_call; /* the running call is lazy (see budget.c) */
    volatile sig_atomic_t ticks;     /* CPU ticks seen by the running counted call */
    long tick_limit;                 /* ticks that make its CPU ceiling */
    int ticking;                     /* this thread has its tick timer */
    int mem_hit;                     /* a memory error reported as another status */
    int plain_err;                   /* the error is the host's own message, shown as is */
    int dead;                        /* given up after a panic (see lh_panic) */
    unsigned hooks;                  /* count-hook calls, to read the clock now and then */
    double cpu_start;                /* thread CPU seconds when the call started (no tick) */
    int ref_model, ref_score, ref_batch, ref_params;
    int ref_p, ref_ratings;
    int ref_loop;       /* the JIT host's batch loop (jit.c); LUA_NOREF otherwise */
    int in_batch;       /* the JIT host runs a batch: a refusal ends the worker */
    double *jit_buf;    /* the JIT host's batch arrays (jit.c), kept between batches */
    size_t jit_cap;     /* doubles it holds */
    int jit_tuned;      /* LuaJIT's trace limits were raised for it (jit.c) */
    imv_result *log_to; /* where imeval.log writes during a call; NULL outside */
    const imv_model *model;
    unsigned long cached_key;           /* profile whose table ref_p holds; 0 none */
    double cached_ratings[IMV_R_COUNT]; /* what ref_ratings holds */
    int ref_keys;                       /* interned key strings, see KEY_* */
    double *w_last;                     /* what the params table ref_params holds */
    size_t w_n;                         /* its length; 0 when there is none */
    int lazy;                           /* calls run without the count hook, see run_fast */
    double lazy_limit;                  /* seconds a call may take and still be trusted */
    volatile sig_atomic_t rerun;        /* the tick interrupted this call */
    long c_spent;                       /* steps charged for C work in this call */
    unsigned long calls, reruns;
    void *small[17];    /* free blocks of 16, 32, ..., 256 bytes (see imv_lua_alloc) */
    struct slab *slabs; /* where they come from; freed with the state */
    char *bump;
    size_t bump_left;
} lh_inst;

/* The keys the host writes, interned once per state: a lua_setfield with
 * a C string looks the string up in the state's string cache each time,
 * and with p's many keys that small cache often missed (the lookups were
 * a tenth of streaming CSV's instructions).  Reading a result keeps
 * lua_getfield: there an interned key measured no cheaper.
 * Rating i is at KEY_RATING + i, fact i at KEY_FACT + i, judgement j at
 * KEY_JUDGEMENT + j, rule i at KEY_RULE + i, the names below at KEY_name,
 * parameter j at KEY_PARAM + j. */
/* clang-format off */
#define LH_NAMED_KEYS(X)                                                                          \
    X(id) X(name) X(as_of) X(grade) X(previous) X(size) X(child_population) X(children_in_care)   \
    X(facts) X(current_intervention) X(model) X(since) X(partner) X(months) X(expected_months)    \
    X(partners) X(neighbouring) X(spare_leadership_capacity) X(current_commitments) X(inspected)  \
    X(history) X(date) X(judgements) X(kind) X(progress) X(finding) X(by) X(note) X(status)       \
    X(why) X(rules) X(persistent) X(persistent_year) X(persistent_earlier_year) X(systemic)       \
    X(n_key) X(trajectory) X(commissioner_weight) X(regime) X(persistent_failure)                 \
    X(persistent_since) X(persistent_gap_months) X(systemic_failure) X(key_judgements_given)      \
    X(judgement_trend) X(latest_finding) X(trajectory_date) X(judgements_since) X(rules_in_force)  \
    X(setup_months) X(months_to_fair) X(months_to_good) X(brief)
/* clang-format on */
#define LH_KEY_ENUM(n) KEY_##n,
enum {
    KEY_RATING = 1,
    KEY_RATINGS = KEY_RATING + IMV_R_COUNT,
    KEY_SCORE_ONLY,
    KEY_FACT,
    KEY_JUDGEMENT = KEY_FACT + IMV_F_COUNT,
    KEY_RULE = KEY_JUDGEMENT + IMV_J_COUNT,
    KEY_BEFORE_NAMED = KEY_RULE + IMV_RULE_COUNT - 1,
    LH_NAMED_KEYS(LH_KEY_ENUM) KEY_PARAM
};
#undef LH_KEY_ENUM

/* Push the state's key table; returns its index (for the k* helpers). */
static inline int keys_push(lua_State *L, const lh_inst *I)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_keys);
    return lua_gettop(L);
}

/* t[key k] = the value on top, t the table just below it: one the host
 * made, with no metatable, so a raw set is what lua_setfield did. */
static inline void kset(lua_State *L, int keys, int k)
{
    lua_rawgeti(L, keys, k);
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

/* t[key k] = v for the table t on top, unless v is NULL (kset_str) or
 * IMV_UNKNOWN (kset_num): absent fields stay nil. */
static inline void kset_str(lua_State *L, int keys, int k, const char *v)
{
    if (!v)
        return;
    lua_rawgeti(L, keys, k);
    lua_pushstring(L, v);
    lua_rawset(L, -3);
}

static inline void kset_num(lua_State *L, int keys, int k, double v)
{
    if (v == IMV_UNKNOWN)
        return;
    lua_rawgeti(L, keys, k);
    lua_pushnumber(L, v);
    lua_rawset(L, -3);
}

static inline void push_key(lua_State *L, const lh_inst *I, int k)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_keys);
    lua_rawgeti(L, -1, k);
    lua_remove(L, -2);
}

/* t[key k] = x for the table at idx, without metamethods. */
static inline void set_key_num(lua_State *L, const lh_inst *I, int idx, int k, double x)
{
    idx = lua_absindex(L, idx);
    push_key(L, I, k);
    lua_pushnumber(L, x);
    lua_rawset(L, idx);
}

/* Slabs the small-block allocator carved; freed with the state. */
struct slab {
    struct slab *next;
    max_align_t pad; /* keeps the blocks after it aligned */
};

/* One call of the model: n views with their parameters and results. */
typedef struct call {
    lh_inst *I;
    const imv_model *m;
    const imv_profile_view *const *v;
    const double *const *params;
    size_t n;
    imv_result *const *r;
    unsigned long key;
} call;

/* ---- alloc.c ---- */
/* The lua_Alloc of every state: ud is its lh_inst; counts against I->cap. */
void *imv_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
/* Give the state's share of the overall cap back (after lua_close). */
void imv_lua_pool_release(lh_inst *I);
/* Release the slabs (after lua_close). */
void imv_lua_slabs_free(lh_inst *I);

/* ---- budget.c ---- */
double imv_lua_thread_cpu(void);
double imv_lua_cpu_ceiling(long budget);
void imv_lua_hook(lua_State *L, lua_Debug *ar);
/* Lazy calls (see budget.c): 1 when this thread has its CPU tick timer. */
int imv_lua_lazy_ready(void);
/* Around every protected call into I's state: the call the CPU tick
 * watches (a lazy one is stopped at the first tick, a counted one at its
 * CPU ceiling).  Thread-local; calls do not nest. */
void imv_lua_call_begin(lh_inst *I, int lazy);
void imv_lua_call_end(void);
#define LAZY_MIN_BUDGET 1000000L
#define LAZY_MAX_RATE 4e9 /* Lua VM instructions a second */

/* ---- sandbox.c ---- */
/* lua_CFunction: open the allowed libraries and the imeval library. */
int imv_lua_open_sandbox(lua_State *L);
/* After the script has run: make its globals read-only (a write while
 * scoring is the call's error, naming the global).  Raises on memory. */
int imv_lua_freeze_globals(lua_State *L);

/* ---- host.c ---- */
/* f(ud) under lua_pcall with the host's message handler, on a clean
 * stack, leaving nres results: a lua_pcall status, or LH_DEAD. */
int imv_lua_pcall(lh_inst *I, lua_CFunction f, void *ud, int nres);
#define LH_DEAD (-2) /* imv_lua_pcall's status for a state given up */

/* ---- jit.c (LuaJIT only) ---- */
/* Raise LuaJIT's trace limits for L's batch loop (when its cap leaves
 * room): called while the jit library's jit.opt is still registered. */
void imv_lua_jit_tune(lua_State *L);
/* Build I's batch loop and turn the compiler on: a lua_pcall status. */
int imv_lua_jit_setup(lh_inst *I);
/* Score n views in the batch loop, declining what it cannot vouch for. */
void imv_lua_jit_batch(const imv_model *m, lh_inst *I, const imv_profile_view *const *v,
                       const double *const *params, size_t n, imv_result *const *r);
/* The backend's score_draws (core/internal.h), on the batch loop. */
void imv_lua_jit_draws(const imv_model *m, lh_inst *I, const imv_profile_view *base,
                       const double *ratings, const double *params, const double *vary, size_t n,
                       imv_draw_answer *out);

/* ---- marshal.c ---- */
int imv_lua_make_keys(lua_State *L);
void imv_lua_push_view(lua_State *L, lh_inst *I, const imv_profile_view *v, unsigned long key);
void imv_lua_push_params(lua_State *L, lh_inst *I, const imv_model *m, const double *params);
void imv_lua_read_result(lua_State *L, int idx, imv_result *r);
/* The two values score returned, at idx and idx + 1: a number score
 * followed by its unmet preconditions (nil or an array of strings), or a
 * result as imv_lua_read_result reads it, alone. */
void imv_lua_read_results(lua_State *L, int idx, imv_result *r);
/* The p table for v with its ratings table empty, on top of the stack. */
void imv_lua_push_profile(lua_State *L, const lh_inst *I, const imv_profile_view *v);
/* A fresh params table for params, on top of the stack. */
void imv_lua_push_params_new(lua_State *L, lh_inst *I, const imv_model *m, const double *params);
/* 1 when a and b differ at most in their ratings (pointers compared). */
int imv_lua_same_base(const imv_profile_view *a, const imv_profile_view *b);
/* lua_CFunctions taking a light userdata call: run the model's score or
 * score_batch on it and read the results. */
int imv_lua_call_score(lua_State *L);
int imv_lua_call_batch(lua_State *L);

#endif
