/*
 * sandbox.c - what a Lua model may reach: an allow-list of the base,
 * string, table, math and utf8 libraries (after linit.c), C functions
 * charged against the budget, deterministic pairs, and the imeval library.
 */
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../imeval_aux.h"
#include "lua_aux.h"
#include "lua_host.h"

/* The state's interned keys (LH_NAMED_KEYS), pushed: their index, or 0
 * (nothing pushed) in a state that has none.  A lua_getfield with a C
 * string looks the key up in the state's string cache each time; the
 * helpers below read some twenty fields a call. */
static int push_keys(lua_State *L)
{
    const lh_inst *I = LH_INST(L);
    return I && I->ref_keys != LUA_NOREF ? keys_push(L, I) : 0;
}

/* Push t[key], t the table at idx (absolute), key k of keys or `name`
 * when keys is 0: lua_getfield's look-up, metamethods and all.  Returns
 * the value's type. */
static int get_key(lua_State *L, int idx, int keys, int k, const char *name)
{
    if (!keys) {
        lua_getfield(L, idx, name);
    } else {
        lua_rawgeti(L, keys, k);
        lua_gettable(L, idx);
    }
    return lua_type(L, -1);
}

/* What imeval.journey reads of the p table at idx: grade, ratings, facts. */
static void journey_view(lua_State *L, int idx, imv_profile_view *v)
{
    memset(v, 0, sizeof *v);
    v->struct_size = sizeof *v;
    luaL_checktype(L, idx, LUA_TTABLE);
    idx = lua_absindex(L, idx);
    int keys = push_keys(L);
    get_key(L, idx, keys, KEY_grade, "grade");
    const char *g = lua_tostring(L, -1);
    int grade = g ? imv_grade_parse(g, NULL) : -1;
    v->grade = grade < 0 ? IMV_G_NOT_INSPECTED : (imv_grade)grade;
    lua_pop(L, 1);
    if (get_key(L, idx, keys, KEY_RATINGS, "ratings") == LUA_TTABLE) {
        int t = lua_gettop(L);
        for (int i = 0; i < IMV_R_COUNT; i++) {
            get_key(L, t, keys, KEY_RATING + i, imv_rating_name(i));
            v->ratings[i] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    if (get_key(L, idx, keys, KEY_facts, "facts") == LUA_TTABLE) {
        int t = lua_gettop(L);
        for (int i = 0; i < IMV_F_COUNT; i++) {
            if (get_key(L, t, keys, KEY_FACT + i, imv_fact_name(i)) == LUA_TNUMBER) {
                v->facts[i] = lua_tonumber(L, -1);
                v->facts_present |= 1u << i;
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, keys ? 2 : 1);
}

/* imeval.journey(p) -> months_to_fair, months_to_good, factor */
static int l_journey(lua_State *L)
{
    imv_profile_view v;
    journey_view(L, 1, &v);
    imv_journey j;
    imv_journey_compute(&v, &j);
    lua_pushnumber(L, j.months_to_fair);
    lua_pushnumber(L, j.months_to_good);
    lua_pushnumber(L, j.factor);
    return 3;
}

/* The status p.rules.trajectory names (imv_iv_status_name), and its
 * months; none and IMV_UNKNOWN when p has no rules. */
static imv_iv_status rules_status(lua_State *L, int idx, double *months)
{
    imv_iv_status st = IMV_IV_STATUS_NONE;
    *months = IMV_UNKNOWN;
    idx = lua_absindex(L, idx);
    int keys = push_keys(L);
    if (get_key(L, idx, keys, KEY_rules, "rules") == LUA_TTABLE) {
        int t = lua_gettop(L);
        if (get_key(L, t, keys, KEY_trajectory, "trajectory") == LUA_TSTRING)
            st = imv_iv_status_parse(lua_tostring(L, -1), st);
        lua_pop(L, 1);
        if (get_key(L, t, keys, KEY_months, "months") == LUA_TNUMBER)
            *months = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, keys ? 2 : 1);
    return st;
}

/* imeval.timeline(p, setup_months, in_place) -> { setup_months,
 * months_to_fair, months_to_good }: imeval.journey's months made a
 * model's timeline by imv_timeline_of, as the C models make theirs, with
 * the status and months of the intervention in place from p.rules. */
static int l_timeline(lua_State *L)
{
    imv_profile_view v;
    journey_view(L, 1, &v);
    double setup = luaL_checknumber(L, 2);
    int in_place = lua_toboolean(L, 3);
    double months;
    imv_iv_status st = rules_status(L, 1, &months);
    imv_journey j;
    imv_journey_compute(&v, &j);
    imv_timeline t = imv_timeline_of(j.months_to_fair, j.months_to_good, in_place, st, months, setup);
    int keys = push_keys(L);
    lua_createtable(L, 0, 3);
    /* A new table, without a metatable: raw sets are lua_setfield's (an
     * unknown month is set too, as IMV_UNKNOWN). */
    static const char *const name[3] = {"setup_months", "months_to_fair", "months_to_good"};
    const int k[3] = {KEY_setup_months, KEY_months_to_fair, KEY_months_to_good};
    const double x[3] = {t.setup_months, t.months_to_fair, t.months_to_good};
    for (int i = 0; i < 3; i++) {
        if (keys)
            lua_rawgeti(L, keys, k[i]);
        else
            lua_pushstring(L, name[i]);
        lua_pushnumber(L, x[i]);
        lua_rawset(L, -3);
    }
    return 1;
}

/* The imeval library: what the engine offers a Lua model besides the
 * standard libraries (docs/plugin-guide.md lists it).  A new function is
 * one more row here. */
static const luaL_Reg imeval_lib[] = {
    {"journey", l_journey},
    {"timeline", l_timeline},
    {NULL, NULL},
};

static int open_imeval(lua_State *L)
{
    luaL_newlib(L, imeval_lib);
    lua_pushstring(L, IMV_VERSION);
    lua_setfield(L, -2, "version");
    imv_lua_open_aux(L);
#ifdef IMV_LUAJIT
    imv_lua_jit_aux(L);
#endif
    return 1;
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
    "_G",           "_VERSION", "assert",   "error",  "getmetatable", "ipairs", "next",
    "pairs",        "pcall",    "rawequal", "rawget", "rawlen",       "rawset", "select",
    "setmetatable", "tonumber", "tostring", "type",   "xpcall",       "string", "table",
    "math",         "utf8",     "imeval",   NULL};
static const char *const string_allowed[] = {"byte",    "char", "find",  "format", "gmatch",
                                             "gsub",    "len",  "lower", "match",  "rep",
                                             "reverse", "sub",  "upper", "pack",   "packsize",
                                             "unpack",  NULL};
/* No random numbers: a model must be a function of its inputs, or the
 * same run would not give the same output. */
static const char *const math_allowed[] = {"abs",        "ceil", "cos",        "deg",  "exp",
                                           "floor",      "fmod", "huge",       "log",  "max",
                                           "maxinteger", "min",  "mininteger", "modf", "pi",
                                           "rad",        "sin",  "sqrt",       "tan",  "tointeger",
                                           "type",       "ult",  "atan",       "asin", "acos",
                                           NULL};

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

/* The shape of a pattern: *q, how many of its items can make the matcher
 * try every length of the subject (quantified single-character classes,
 * %b and back-references), and *items, how many items it has in all. */
static void pattern_shape(const char *p, size_t pn, int *q, double *items)
{
    size_t i = 0;
    *q = 0;
    *items = 0;
    while (i < pn) {
        char c = p[i];
        *items += 1;
        if (c == '(' || c == ')' || c == '^' || c == '$') {
            i++;
            continue;
        }
        if (c == '%' && i + 1 < pn) {
            char e = p[i + 1];
            if (e == 'b') {
                (*q)++;
                i += 4;
                continue;
            }
            if (e == 'f') {
                i = i + 2 < pn && p[i + 2] == '[' ? set_end(p, pn, i + 2) : i + 2;
                continue;
            }
            if (e >= '0' && e <= '9') {
                (*q)++;
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
            (*q)++;
            i++;
        }
    }
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
    /* Each of the n + 1 starts tries up to (n + 1)^q ways through the
     * quantified items, each matching at most every item once.  Counting
     * the items matters: a long pattern without quantifiers ("%a%a%a..."
     * 100,000 times) was charged n + pn for n * pn steps. */
    int q;
    double items;
    pattern_shape(p, pn, &q, &items);
    return pow((double)n + 1, q + 1) * (fmin(items, (double)n) + 1) + (double)pn;
}

/* Charge `moves` element moves of the C function `name` against the
 * allowance, or raise the model's error when they do not fit. */
static void charge_moves(lua_State *L, const char *name, double moves)
{
    lh_inst *I = LH_INST(L);
    if (I->budget <= 0 || moves <= 0)
        return;
    if (moves > (double)(I->budget - I->c_spent)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "%s: moving %.0f elements takes more steps than the "
                 "instruction budget of %ld",
                 name, moves, I->budget);
        luaL_error(L, "%s", msg);
    }
    I->c_spent += (long)moves;
}

static int l_charged(lua_State *L)
{
    lh_inst *I = LH_INST(L);
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
                snprintf(msg, sizeof msg,
                         "%s: moving %.0f elements takes more steps than the "
                         "instruction budget of %ld",
                         name, cost, I->budget);
            else
                snprintf(msg, sizeof msg,
                         "%s: this pattern on a %zu-byte string could take "
                         "more steps than the instruction budget of %ld (simplify the pattern "
                         "or shorten the string)",
                         name, n, I->budget);
            return luaL_error(L, "%s", msg); /* lua_pushfstring knows no %zu */
        }
        I->c_spent += (long)cost;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- C functions that loop on their own ----------------------------------
 *
 * Three more ran unbounded with the hook never firing: string.rep of an
 * empty string loops n times doing nothing (rep('', 1e15) ran for days),
 * and table.insert and table.remove move as many elements as the table's
 * length says, which a __len metamethod may make 2^62.  rep returns the
 * empty string at once; insert and remove are lstrlib's own code (after
 * ltablib.c, Lua 5.4) with the moves charged before they start. */

static int l_rep(lua_State *L)
{
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (l == 0 && lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int l_insert(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer e = luaL_len(L, 1);
    e = luaL_intop(+, e, 1); /* first empty element */
    lua_Integer pos;
    switch (lua_gettop(L)) {
    case 2: pos = e; break;
    case 3:
        pos = luaL_checkinteger(L, 2);
        /* check whether 'pos' is in [1, e] */
        luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
        charge_moves(L, "table.insert", (double)e - (double)pos);
        for (lua_Integer i = e; i > pos; i--) {
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);
        }
        break;
    default: return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos);
    return 0;
}

static int l_remove(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size) /* check whether 'pos' is in [1, size + 1] */
        luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
    lua_geti(L, 1, pos);
    charge_moves(L, "table.remove", (double)size - (double)pos);
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

/* ---- Lua that would run with the hooks off ---------------------------------
 *
 * Lua runs finalizers (__gc) with hooks off, in the collection after a
 * call and at lua_close, so a finalizer that loops could not be stopped;
 * models have no use for them, and setmetatable refuses a metatable that
 * has one (Lua marks an object for finalization only if its metatable has
 * __gc when it is set, so adding one later does nothing).
 *
 * Lua runs xpcall's message handler where the error was raised: for the
 * budget's own error that is inside the count hook, with hooks off, so a
 * handler that looped ran for ever.  The model's handler is not run for
 * the host's errors (budget, CPU ceiling, the lazy tick), which it could
 * not recover from anyway. */

static int l_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int t = lua_rawget(L, 2);
        lua_pop(L, 1);
        if (t != LUA_TNIL)
            return luaL_error(L, "setmetatable: a model may not have finalizers (__gc)");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int l_guarded_handler(lua_State *L)
{
    lh_inst *I = LH_INST(L);
    if (I->budget_hit || I->cpu_hit || I->rerun)
        return 1; /* the host's error, as it is */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int l_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, l_guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- globals are read-only once the model is loaded -------------------------
 *
 * Each worker thread has its own state of a model, and which state scores
 * which profile depends on threads and timing: a model that kept anything
 * in a global between calls (a counter, a cache, the last profile) would
 * give output that depends on them.  Once the script has run, its globals
 * move to a hidden table that the globals table reads through (__index),
 * and a write to a global is that call's error, naming it: the globals
 * table stays empty, so every write reaches __newindex.  rawset on it is
 * refused too, and rawget and pairs read the hidden table. */

static int l_global_write(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : luaL_typename(L, 2);
    luaL_where(L, 2); /* the model's line, not this function's */
    lua_pushfstring(L,
                    "assignment to global '%s' while scoring: a model keeps no state "
                    "between calls (make it a local, or set it when the script loads)",
                    k);
    lua_concat(L, 2);
    return lua_error(L);
}

/* rawset and rawget with upvalues (the real function, _G, the hidden table). */
static int l_rawset(lua_State *L)
{
    if (lua_rawequal(L, 1, lua_upvalueindex(2))) {
        lua_settop(L, 2);
        return l_global_write(L);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int l_rawget(lua_State *L)
{
    if (lua_rawequal(L, 1, lua_upvalueindex(2))) {
        lua_pushvalue(L, lua_upvalueindex(3));
        lua_replace(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* __pairs of _G: the (sorted) pairs of the hidden table. */
static int l_globals_pairs(lua_State *L)
{
    lua_getfield(L, lua_upvalueindex(1), "pairs");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 1, 3);
    return 3;
}

/* hidden.name = f(real hidden.name, _G, hidden). */
static void wrap_raw(lua_State *L, int g, int h, const char *name, lua_CFunction f)
{
    lua_getfield(L, h, name);
    lua_pushvalue(L, g);
    lua_pushvalue(L, h);
    lua_pushcclosure(L, f, 3);
    lua_setfield(L, h, name);
}

int imv_lua_freeze_globals(lua_State *L)
{
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    lua_newtable(L);
    int h = g + 1;
    lua_pushnil(L);
    while (lua_next(L, g)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, h);
    }
    lua_pushnil(L);
    while (lua_next(L, g)) { /* clearing existing fields while iterating is allowed */
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, g);
    }
    wrap_raw(L, g, h, "rawset", l_rawset);
    wrap_raw(L, g, h, "rawget", l_rawget);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, h);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_global_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, h);
    lua_pushcclosure(L, l_globals_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "the globals of a loaded model are read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, g);
    lua_settop(L, g - 1);
    return 0;
}

/* lib.name (lib at the top of the stack) = f, with the old lib.name as
 * f's upvalue. */
static void wrap(lua_State *L, const char *name, lua_CFunction f)
{
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
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

/* t's __pairs as the standard pairs finds it: in the metatable itself,
 * whatever its __metatable field says. */
static int l_metapairs(lua_State *L)
{
    if (luaL_getmetafield(L, 1, "__pairs") == LUA_TNIL)
        lua_pushnil(L);
    return 1;
}

/* Deterministic pairs: numbers, then strings, then booleans, each in
 * order; keys of other types (tables, functions) last, in an order that
 * is not specified.  A __pairs metamethod is still honoured. */
static const char sorted_pairs[] = "local metapairs = ...\n"
                                   "local next, type, sort = next, type, table.sort\n"
                                   "local rank = { number = 1, string = 2, boolean = 3 }\n"
                                   "local function before(a, b)\n"
                                   "  local ta, tb = type(a), type(b)\n"
                                   "  if ta ~= tb then return (rank[ta] or 4) < (rank[tb] or 4) end\n"
                                   "  if ta == 'number' or ta == 'string' then return a < b end\n"
                                   "  if ta == 'boolean' then return b and not a end\n"
                                   "  return false\n"
                                   "end\n"
                                   "function pairs(t)\n"
                                   "  local mp = metapairs(t)\n"
                                   "  if mp then return mp(t) end\n"
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

int imv_lua_open_sandbox(lua_State *L)
{
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                                    {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_MATHLIBNAME, luaopen_math},
#ifndef IMV_LUAJIT
                                    {LUA_UTF8LIBNAME, luaopen_utf8},
#else
                                    /* LuaJIT has no utf8 library: a model
                                     * using it fails under LuaJIT and stays
                                     * on Lua 5.4.  Opening jit turns the
                                     * compiler on; keep_only then removes
                                     * the module (and with it jit.off,
                                     * jit.flush, jit.util) from the globals. */
                                    {LUA_JITLIBNAME, luaopen_jit},
#endif
                                    {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
#ifdef IMV_LUAJIT
    imv_lua_jit_tune(L); /* before the loaded-modules table goes, below */
#endif
    luaL_requiref(L, "imeval", open_imeval, 1);
    lua_pop(L, 1);
    lua_pushglobaltable(L);
    keep_only(L, base_allowed);
    /* print writes nothing to the terminal (a model must not write to
     * imeval's output): it is imeval.log, shown by --trace. */
    lua_pushcfunction(L, imv_lua_log);
    lua_setfield(L, -2, "print");
    lua_getfield(L, -1, "string");
    keep_only(L, string_allowed);
    charge(L, "string", "find", CHARGE_FIND);
    charge(L, "string", "match", CHARGE_MATCH);
    charge(L, "string", "gmatch", CHARGE_MATCH);
    charge(L, "string", "gsub", CHARGE_MATCH);
    wrap(L, "rep", l_rep);
    lua_pop(L, 1);
    lua_getfield(L, -1, "table");
    charge(L, "table", "move", CHARGE_MOVE);
    lua_pushcfunction(L, l_insert);
    lua_setfield(L, -2, "insert");
    lua_pushcfunction(L, l_remove);
    lua_setfield(L, -2, "remove");
    lua_pop(L, 1);
    wrap(L, "setmetatable", l_setmetatable);
    wrap(L, "xpcall", l_xpcall);
    lua_getfield(L, -1, "math");
    keep_only(L, math_allowed);
    lua_pop(L, 1);
    lua_pop(L, 1);
    /* Lua seeds its string hash per state, so `pairs` order would change
     * from run to run and so could a model's reasons: iterate in sorted
     * key order instead (RESULT-FORMAT promises byte-identical output). */
    if (luaL_loadbufferx(L, sorted_pairs, sizeof sorted_pairs - 1, "=pairs", "t") != LUA_OK)
        return lua_error(L);
    lua_pushcfunction(L, l_metapairs);
    lua_call(L, 1, 0);
    /* The loaded-modules table would otherwise still hold the full
     * libraries (string.dump via package.loaded.string is gone with
     * keep_only since it is the same table, but be thorough). */
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    return 0;
}
