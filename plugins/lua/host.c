/*
 * host.c - the host for Lua models (lua_host.h lists its parts).
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
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lua_aux.h"
#include "lua_host.h"

#define MAX_SCRIPT (1u << 20)

#define TRACE_FRAMES 8 /* Lua frames kept in a model's error message */

/* The message handler of every protected call: the model's error gets a
 * traceback (luaL_traceback prints at most 21 levels), so that a model
 * author sees how the failing line was reached.  It runs unhooked (for
 * the budget's own error, from inside the hook), so it does bounded work
 * and runs no metamethod; the host's own errors pass through untouched. */
static int lh_msgh(lua_State *L)
{
    lh_inst *I = LH_INST(L);
    if (I->budget_hit || I->cpu_hit || I->rerun || I->plain_err || !lua_isstring(L, 1))
        return 1;
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

/* Append to buf (holding *k bytes of len) what fits of s[0..n). */
static void put(char *buf, size_t len, size_t *k, const char *s, size_t n)
{
    if (*k + 1 >= len)
        return;
    if (n > len - 1 - *k)
        n = len - 1 - *k;
    memcpy(buf + *k, s, n);
    *k += n;
    buf[*k] = '\0';
}

/* "MSG\nstack traceback:\n\tF1\n\tF2..." as one line: "Lua error: MSG
 * (traceback: F1; F2)", keeping the model's own frames (not the host's C
 * ones), at most TRACE_FRAMES of them; none when the only one is the line
 * MSG already names. */
static void format_error(const char *m, char *buf, size_t len)
{
    static const char mark[] = "\nstack traceback:\n";
    const char *tb = strstr(m, mark);
    size_t k = 0;
    buf[0] = '\0';
    put(buf, len, &k, "Lua error: ", 11);
    put(buf, len, &k, m, tb ? (size_t)(tb - m) : strlen(m));
    if (!tb)
        return;
    char frames[512];
    size_t fk = 0;
    int kept = 0;
    const char *first = NULL;
    frames[0] = '\0';
    for (const char *f = tb + sizeof mark - 1; *f && kept < TRACE_FRAMES;) {
        f += strspn(f, "\t");
        size_t n = strcspn(f, "\n");
        if (n && strncmp(f, "[C]:", 4) != 0) {
            if (kept)
                put(frames, sizeof frames, &fk, "; ", 2);
            else
                first = f;
            put(frames, sizeof frames, &fk, f, n);
            kept++;
        }
        f += n + (f[n] == '\n');
    }
    if (kept == 1) {
        const char *in = strstr(first, ": in ");
        if (in && strncmp(m, first, (size_t)(in - first) + 1) == 0)
            return; /* "file:line:" of the message itself */
    }
    if (kept) {
        put(buf, len, &k, " (traceback: ", 13);
        put(buf, len, &k, frames, fk);
        put(buf, len, &k, ")", 1);
    }
}

static const char *lh_errmsg(lua_State *L, int status, lh_inst *I, char *buf, size_t len)
{
    if (status == LH_DEAD) {
        snprintf(buf, len,
                 "the Lua state was given up after an error outside a protected "
                 "call (a bug in imeval: please report it with the model)");
    } else if ((status == LUA_ERRMEM || I->mem_hit) && I->total_hit) {
        snprintf(buf, len,
                 "Lua memory: all Lua model states together reached the overall cap "
                 "of %zu MiB (--lua-memory-total; threads x Lua models x --lua-memory can be "
                 "more: lower --jobs or --lua-memory, or raise the overall cap)",
                 I->total_cap >> 20);
    } else if (status == LUA_ERRMEM || I->mem_hit) {
        snprintf(buf, len, "Lua memory cap of %zu KiB exceeded", I->cap >> 10);
    } else if (I->cpu_hit) {
        snprintf(buf, len,
                 "Lua call used more than %.0f s of CPU without reaching its instruction "
                 "budget (is it comparing or copying long strings in a loop?)",
                 imv_lua_cpu_ceiling(I->budget));
    } else if (I->budget_hit) {
        snprintf(buf, len, "Lua instruction budget of %ld exceeded (is there an endless loop?)",
                 I->budget);
    } else if (I->plain_err && lua_type(L, -1) == LUA_TSTRING) {
        snprintf(buf, len, "%s", lua_tostring(L, -1));
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        format_error(lua_tostring(L, -1), buf, len);
    } else {
        snprintf(buf, len, "Lua error: (error object is not a string but a %s)",
                 luaL_typename(L, -1));
    }
    return buf;
}

static void inst_free(void *p)
{
    lh_inst *I = p;
    if (!I)
        return;
    if (I->dead) {
        free(I->w_last); /* its state is inconsistent: leaked, untouched */
        free(I->jit_buf);
        free(I);
        return;
    }
    if (I->L)
        lua_close(I->L);
    imv_lua_pool_release(I);
    imv_lua_slabs_free(I);
    free(I->w_last);
    free(I->jit_buf);
    free(I);
}

/* Lua calls the panic function on an error outside any protected call,
 * and aborts the process when it returns.  The host makes no such call:
 * everything that touches a state runs in lh_pcall.  Should one slip
 * through all the same, the panic jumps back to lh_pcall instead of
 * aborting imeval, and the state (inconsistent now) is given up: it is
 * never touched again, nor closed, and the model's calls report it. */
static _Thread_local jmp_buf *lh_recover;

static int lh_panic(lua_State *L)
{
    lh_inst *I = LH_INST(L);
    I->dead = 1;
    if (lh_recover)
        longjmp(*lh_recover, 1);
    return 0; /* not reached: lh_pcall is the only way into a state */
}

/* f(ud) under lua_pcall with the message handler (lua_host.h). */
int imv_lua_pcall(lh_inst *I, lua_CFunction f, void *ud, int nres)
{
    if (I->dead)
        return LH_DEAD;
    lua_State *L = I->L;
    jmp_buf here;
    jmp_buf *volatile saved = lh_recover;
    if (setjmp(here)) {
        lh_recover = saved;
        return LH_DEAD;
    }
    lh_recover = &here;
    I->plain_err = 0;
    lua_settop(L, 0);
    lua_pushcfunction(L, lh_msgh);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, ud);
    int st = lua_pcall(L, 1, nres, 1);
    lh_recover = saved;
    return st;
}

/* An error of the host's own about the script (not a Lua error): shown
 * as it is, without "Lua error:" or a traceback. */
static int host_error(lua_State *L, const char *fmt, ...)
{
    lh_inst *I = LH_INST(L);
    I->plain_err = 1;
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

/* Protected: the sandbox, the interned keys, the script run, and the
 * model table's score functions.  Reading a field of the model table can
 * run its metamethods, which can raise: that is the model's error. */
static int l_setup(lua_State *L)
{
    lh_inst *I = LH_INST(L);
    const lh_cls *c = lua_touserdata(L, 1);
    lua_pushcfunction(L, imv_lua_open_sandbox);
    lua_call(L, 0, 0);
#ifdef IMV_LUAJIT
    /* Opening jit turned the compiler on.  The script and its declaration
     * run interpreted, where the count hook holds; the compiler is turned
     * on again for the batch loop (imv_lua_jit_setup), which runs on a
     * CPU allowance instead. */
    luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
#endif
    lua_pushcfunction(L, imv_lua_make_keys);
    lua_call(L, 0, 1);
    I->ref_keys = luaL_ref(L, LUA_REGISTRYINDEX);
    int st = luaL_loadbufferx(L, c->src, c->len, c->chunkname, "t");
    if (st != LUA_OK) {
        I->mem_hit = st == LUA_ERRMEM;
        return lua_error(L); /* a syntax error names its line already */
    }
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1))
        return host_error(L, "the script must return a model table, it returned %s",
                          luaL_typename(L, -1));
    int model = lua_gettop(L);
    lua_getfield(L, model, "score");
    if (!lua_isfunction(L, -1))
        return host_error(L, "the model table has no score function "
                             "(score = function(p, params) ... end)");
    I->ref_score = luaL_ref(L, LUA_REGISTRYINDEX);
    if (lua_getfield(L, model, "score_batch") == LUA_TFUNCTION)
        I->ref_batch = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, model);
    I->ref_model = luaL_ref(L, LUA_REGISTRYINDEX);
    imv_lua_freeze_globals(L);
    return 0;
}

/* Create a state, run the script, and keep the model table. */
static int inst_create(const lh_cls *c, const imv_limits *limits, lh_inst **out, char *err,
                       size_t errlen)
{
    long budget = limits->lua_instructions;
    lh_inst *I = imv_xcalloc(1, sizeof *I);
    I->cap = limits->lua_memory;
    I->total_cap = limits->lua_memory_total;
    I->budget = budget;
    I->left = budget ? budget : 0;
    I->ref_p = I->ref_ratings = I->ref_params = I->ref_keys = LUA_NOREF;
    I->ref_batch = I->ref_loop = LUA_NOREF;
    *out = NULL;
    I->L = lua_newstate(imv_lua_alloc, I);
    if (!I->L) {
        snprintf(err, errlen, "cannot create a Lua state (memory cap too small?)");
        free(I);
        return IMV_ENOMEM;
    }
    lua_State *L = I->L;
    lua_atpanic(L, lh_panic);
    LH_SET_INST(L, I);

    if (budget > 0)
        lua_sethook(L, imv_lua_hook, LUA_MASKCOUNT, HOOK_STEP); /* the chunk is counted */
    I->lazy = budget >= LAZY_MIN_BUDGET && !getenv("IMEVAL_LUA_COUNT_ALWAYS");
    /* Every call leaves a few small tables that die at once: the
     * generational collector handles that with less work. */
#ifndef IMV_LUAJIT
    lua_gc(L, LUA_GCGEN, 0, 0); /* LuaJIT has only the incremental one */
#endif
    I->lazy_limit = (double)budget / LAZY_MAX_RATE;
    imv_lua_call_begin(I, 0); /* the chunk is counted */
    int st = imv_lua_pcall(I, l_setup, (void *)c, 0);
    imv_lua_call_end();
    if (st != LUA_OK) {
        lh_errmsg(L, st, I, err, errlen);
        inst_free(I);
        return IMV_EPLUGIN;
    }
    lua_settop(L, 0);
    *out = I;
    return IMV_OK;
}

/* ---- reading the model declaration (at load time) --------------------- */

typedef struct decl {
    lh_inst *I;
    const char *s[5]; /* id, name, version, summary, evidence */
    imv_param_def *params;
    size_t n_params;
    char err[512];
    char directions[1024]; /* as imv_model_def.directions */
    int has_directions;
} decl;

static const char *const decl_keys[5] = {"id", "name", "version", "summary", "evidence"};

/* Keep the string at the top of the stack alive as long as the state
 * (a string an __index metamethod made is referenced by nothing else),
 * popping it; returns it. */
static const char *anchor_string(lua_State *L, int anchors)
{
    const char *s = lua_tostring(L, -1);
    lua_rawseti(L, anchors, (lua_Integer)lua_rawlen(L, anchors) + 1);
    return s;
}

static int l_read_decl(lua_State *L)
{
    decl *d = lua_touserdata(L, 1);
    lua_newtable(L); /* every string handed to the engine */
    int anchors = lua_gettop(L);
    lua_pushvalue(L, anchors);
    lua_setfield(L, LUA_REGISTRYINDEX, "imeval.declaration");
    lua_rawgeti(L, LUA_REGISTRYINDEX, d->I->ref_model);
    int model = lua_gettop(L);
    for (int i = 0; i < 5; i++) {
        lua_getfield(L, model, decl_keys[i]);
        if (lua_type(L, -1) != LUA_TSTRING)
            return host_error(L, "the model table's %s must be a string, it is %s", decl_keys[i],
                              luaL_typename(L, -1));
        d->s[i] = anchor_string(L, anchors);
    }
    d->has_directions = imv_lua_directions(L, d->directions, sizeof d->directions);
    lua_settop(L, model);
    int t = lua_getfield(L, model, "parameters");
    if (t == LUA_TNIL)
        return 0;
    if (t != LUA_TTABLE)
        return host_error(L, "parameters must be an array of tables");
    lua_Integer n = luaL_len(L, -1);
    if (n < 0 || n > 100)
        return host_error(L, "parameters: at most 100");
    d->params = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *d->params, 0);
    memset(d->params, 0, (size_t)(n ? n : 1) * sizeof *d->params);
    lua_rawseti(L, anchors, (lua_Integer)lua_rawlen(L, anchors) + 1);
    for (lua_Integer i = 1; i <= n; i++) {
        imv_param_def *p = &d->params[i - 1];
        if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
            return host_error(L, "parameters[%d] must be a table", (int)i);
        static const char *const num[3] = {"default", "min", "max"};
        double *dst[3] = {&p->def, &p->min, &p->max};
        for (int k = 0; k < 3; k++) {
            lua_getfield(L, -1, num[k]);
            if (!lua_isnumber(L, -1))
                return host_error(L, "parameters[%d].%s must be a number", (int)i, num[k]);
            *dst[k] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        if (imv_lua_param_extras(L, (int)i, p))
            return lua_error(L);
        /* Anchored, not merely read: a metamethod may have made them, and
         * the engine copies them only after this call (popping them here
         * was a use after free). */
        lua_getfield(L, -1, "name");
        p->name = lua_type(L, -1) == LUA_TSTRING ? anchor_string(L, anchors) : (lua_pop(L, 1), NULL);
        lua_getfield(L, -1, "description");
        p->description = lua_type(L, -1) == LUA_TSTRING ? anchor_string(L, anchors)
                                                        : (lua_pop(L, 1), NULL);
        lua_pop(L, 1);
        d->n_params++;
    }
    return 0;
}

/* ---- calls ------------------------------------------------------------------ */

/* One protected call of f(c) on a clean stack. */
static int pcall_once(lh_inst *I, lua_CFunction f, call *c)
{
    I->c_spent = 0;
    return imv_lua_pcall(I, f, c, 0);
}

/* The call without the count hook (see "the lazy budget").  Returns its
 * status, or -1 when it must be run again counting: then the results are
 * reset and the caches dropped. */
static int run_fast(lh_inst *I, lua_CFunction f, call *c)
{
    lua_State *L = I->L;
    struct timespec t0, t1;
    I->rerun = 0;
    lua_sethook(L, NULL, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    imv_lua_call_begin(I, 1);
    int st = pcall_once(I, f, c);
    imv_lua_call_end();
    lua_sethook(L, NULL, 0, 0); /* a tick that came after the call */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    I->calls++;
    if (!I->rerun && dt < I->lazy_limit)
        return st;
    I->reruns++;
    if (I->reruns >= 8 && I->reruns * 4 >= I->calls)
        I->lazy = 0; /* long calls: count from now on */
    for (size_t i = 0; i < c->n; i++)
        imv_result_reset(c->r[i], c->r[i]->model, c->r[i]->score_only);
    I->cached_key = 0;
    I->w_n = 0;
    lua_settop(L, 0);
    return -1;
}

/* Run f(c) protected, with a fresh budget; on failure every result of
 * the call that has no error of its own gets the Lua message. */
static void run(lh_inst *I, lua_CFunction f, call *c)
{
    lua_State *L = I->L;
    int st = -1;
    I->log_to = c->n ? c->r[0] : NULL; /* a batch logs to its first result */
    if (I->lazy && imv_lua_lazy_ready())
        st = run_fast(I, f, c);
    if (st < 0) {
        /* counted: the step is reset, whatever the last call left */
        if (I->budget > 0)
            lua_sethook(L, imv_lua_hook, LUA_MASKCOUNT, HOOK_STEP);
        I->left = I->budget;
        I->budget_hit = 0;
        imv_lua_call_begin(I, 0);
        st = pcall_once(I, f, c);
        imv_lua_call_end();
        if (I->lazy)
            lua_sethook(L, NULL, 0, 0);
    }
    if (st != LUA_OK) {
        char msg[1024];
        lh_errmsg(L, st, I, msg, sizeof msg);
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
    I->log_to = NULL;
    /* Give memory back between calls so one large profile does not count
     * against the cap of the next. */
    if (I->cap && I->mem > I->cap / 2)
        lua_gc(L, LUA_GCCOLLECT, 0);
}

static void lh_score(const imv_model *m, void *inst, const imv_profile_view *v, unsigned long key,
                     const double *params, imv_result *r)
{
#ifdef IMV_LUAJIT
    (void)key;
    imv_lua_jit_batch(m, inst, &v, &params, 1, &r);
    return;
#endif
    call c = {.I = inst, .m = m, .v = &v, .params = &params, .n = 1, .r = &r, .key = key};
    run(inst, imv_lua_call_score, &c);
}

static void lh_score_batch(const imv_model *m, void *inst, const imv_profile_view *const *v,
                           const double *const *params, size_t n, imv_result *const *r)
{
#ifdef IMV_LUAJIT
    imv_lua_jit_batch(m, inst, v, params, n, r);
    return;
#endif
    call c = {.I = inst, .m = m, .v = v, .params = params, .n = n, .r = r};
    run(inst, imv_lua_call_batch, &c);
}

#ifdef IMV_LUAJIT
static void lh_score_draws(const imv_model *m, void *inst, const imv_profile_view *base,
                           const double *ratings, const double *params, const double *vary,
                           size_t n, imv_draw_answer *out)
{
    imv_lua_jit_draws(m, inst, base, ratings, params, vary, n, out);
}
#endif

/* Intern the model's parameter names in the keys table (KEY_PARAM + j). */
static int l_intern_params(lua_State *L)
{
    const lh_inst *I = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_keys);
    for (size_t i = 0; i < I->model->n_params; i++) {
        lua_pushstring(L, I->model->params[i].name);
        lua_rawseti(L, -2, KEY_PARAM + (lua_Integer)i);
    }
    return 0;
}

static int lh_instance_new(const imv_model *m, void **inst, char *err, size_t errlen)
{
    lh_inst *I;
    int rc = inst_create(m->cls, m->limits, &I, err, errlen);
    if (rc == IMV_OK) {
        I->model = m;
        int st = imv_lua_pcall(I, l_intern_params, I, 0);
#ifdef IMV_LUAJIT
        if (st == LUA_OK)
            st = imv_lua_jit_setup(I);
#endif
        if (st != LUA_OK) {
            snprintf(err, errlen, "cannot set up the Lua state (memory cap too small?)");
            inst_free(I);
            I = NULL;
            rc = IMV_ENOMEM;
        }
    }
    *inst = rc == IMV_OK ? I : NULL;
    return rc;
}

static void lh_unload(imv_model *m)
{
    lh_cls *c = m->cls;
    if (!c)
        return;
    free(c->src);
    free(c->chunkname);
    free(c);
    m->cls = NULL;
}

static const imv_backend lh_backend = {
    .language = "lua",
    .instance_new = lh_instance_new,
    .instance_free = inst_free,
    .score = lh_score,
    .score_batch = lh_score_batch,
    .unload = lh_unload,
#ifdef IMV_LUAJIT
    .score_draws = lh_score_draws, /* only the LuaJIT worker has the batch loop */
#endif
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

int imv_lua_load(imv_model *m, const char *path, const imv_limits *limits, char *err, size_t errlen)
{
    lh_cls *c = imv_xcalloc(1, sizeof *c);
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
    m->be = &lh_backend;
    lh_inst *I = NULL;
    int rc = inst_create(c, limits, &I, err, errlen);
    if (rc)
        return rc; /* the caller frees m, and with it c */
    decl d = {.I = I};
    imv_lua_call_begin(I, 0);
    int st = imv_lua_pcall(I, l_read_decl, &d, 0);
    imv_lua_call_end();
    if (st != LUA_OK) {
        lh_errmsg(I->L, st, I, err, errlen);
        rc = IMV_EPLUGIN;
    } else {
        rc = imv_model_init(m, path, d.s[0], d.s[1], d.s[2], d.s[3], d.s[4], d.params, d.n_params,
                            err, errlen);
        if (rc == IMV_OK && d.has_directions)
            rc = imv_model_set_directions(m, d.directions, err, errlen);
        m->has_batch = I->ref_batch != LUA_NOREF;
#ifdef IMV_LUAJIT
        m->has_batch = 1; /* every batch goes to the batch loop (jit.c) */
#endif
    }
    inst_free(I);
    return rc;
}
