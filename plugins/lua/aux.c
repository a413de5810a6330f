/*
 * aux.c - the model-author helpers of the Lua `imeval` library, built on
 * the same inline functions as plugins/imeval_aux.h so that a Lua model
 * and a C model using them cannot drift apart:
 *
 *   imeval.clamp(x, lo, hi)                        -> x within lo..hi
 *   imeval.term(reasons, s, fields, pts, up, down, ev)
 *       -> s + pts; appends { fields, points, text, evidence } to reasons
 *          when reasons is a table (nil in score-only calls) and the term
 *          prints (|pts| >= 0.05), with up or down as its text
 *   imeval.base(reasons, base, text, ev)           -> base; the base as a
 *          reason of its own, with no fields
 *   imeval.fit_part(components, fit, name, pts, ev) -> fit + pts; appends
 *          { name, points, evidence } to components when it is a table
 *          (nil in score-only calls): one named part of a partner's fit,
 *          for the result's partner.components (imv_host.partner_component)
 *   imeval.worst_rate(p, above) -> rate, "agency_rate" (or vacancy_rate,
 *          turnover_rate), or nil: the worst workforce rate above `above`
 *   imeval.intervention_state(p, id, stall)
 *       -> "none", "continuing", "stalled" or "improved" (from the
 *          engine's p.current_intervention.status when p has it)
 *
 * The rule facts themselves are not computed here: the engine decides
 * them once (core/facts.c) and p carries them (history.c: p.rules,
 * p.current_intervention.status and why).
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/internal.h"
#include "../imeval_aux.h"
#include "lua_aux.h"
#include "lua_host.h"

static int l_clamp(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TNUMBER && lua_type(L, 2) == LUA_TNUMBER &&
        lua_type(L, 3) == LUA_TNUMBER) {
        /* what the checks below give for numbers, without them (hot) */
        lua_pushnumber(L, imv_clamp(lua_tonumber(L, 1), lua_tonumber(L, 2), lua_tonumber(L, 3)));
        return 1;
    }
    lua_pushnumber(L, imv_clamp(luaL_checknumber(L, 1), luaL_checknumber(L, 2),
                                luaL_checknumber(L, 3)));
    return 1;
}

/* The keys of the tables the functions below make, their shared
 * upvalues (imv_lua_open_aux): a lua_setfield with a C string looked the
 * key up in the state's string cache each time, and a full evaluation
 * makes a table of four keys for each of some ten reasons a model. */
enum { UP_FIELDS = 1, UP_POINTS, UP_TEXT, UP_EVIDENCE, UP_NAME, UP_COUNT = UP_NAME };

/* t[upvalue key] = the value on top, t the new table just below it (no
 * metatable: a raw set is what lua_setfield did). */
static void up_set(lua_State *L, int key)
{
    lua_pushvalue(L, lua_upvalueindex(key));
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

/* Append { fields, points, text, evidence } to the reasons table at idx;
 * text is the index of the string argument, pushed as the value it is
 * (lua_pushstring of its characters copied every long text). */
static void append_reason(lua_State *L, int idx, int fields, double pts, int text, int evidence)
{
    lua_createtable(L, 0, 4);
    if (fields)
        lua_pushvalue(L, fields);
    else
        lua_createtable(L, 0, 0);
    up_set(L, UP_FIELDS);
    lua_pushnumber(L, pts);
    up_set(L, UP_POINTS);
    lua_pushvalue(L, text);
    up_set(L, UP_TEXT);
    lua_pushvalue(L, evidence);
    up_set(L, UP_EVIDENCE);
    lua_rawseti(L, idx, (lua_Integer)lua_rawlen(L, idx) + 1);
}

/* 1 when the argument at i is what luaL_optstring takes without
 * converting: a string, nil or none. */
static int str_or_nil(lua_State *L, int i)
{
    int t = lua_type(L, i);
    return t == LUA_TSTRING || t <= LUA_TNIL;
}

static int l_term(lua_State *L)
{
    /* A score-only call (reasons nil) with arguments of the usual types:
     * the checks below would pass and only s + pts is wanted.  A third of
     * a draw's calls into C are this. */
    if (lua_type(L, 1) == LUA_TNIL && lua_type(L, 2) == LUA_TNUMBER && lua_type(L, 4) == LUA_TNUMBER &&
        str_or_nil(L, 5) && str_or_nil(L, 6) && lua_type(L, 7) != LUA_TNONE) {
        lua_pushnumber(L, lua_tonumber(L, 2) + lua_tonumber(L, 4));
        return 1;
    }
    double s = luaL_checknumber(L, 2);
    double pts = luaL_checknumber(L, 4);
    const char *up = luaL_optstring(L, 5, NULL);
    const char *down = luaL_optstring(L, 6, NULL);
    luaL_checkany(L, 7);
    if (lua_istable(L, 1)) {
        const char *t = imv_term_text(pts, up, down);
        if (t) /* up or down, converted to strings in place by luaL_optstring */
            append_reason(L, 1, 3, pts, t == up ? 5 : 6, 7);
    } else if (!lua_isnil(L, 1)) {
        return luaL_argerror(L, 1, "reasons must be a table, or nil in score-only calls");
    }
    lua_pushnumber(L, s + pts);
    return 1;
}

static int l_base(lua_State *L)
{
    double base = luaL_checknumber(L, 2);
    luaL_checkstring(L, 3); /* (a number becomes a string in place) */
    luaL_checkany(L, 4);
    if (lua_istable(L, 1))
        append_reason(L, 1, 0, base, 3, 4);
    else if (!lua_isnil(L, 1))
        return luaL_argerror(L, 1, "reasons must be a table, or nil in score-only calls");
    lua_pushnumber(L, base);
    return 1;
}

static int l_fit_part(lua_State *L)
{
    double fit = luaL_checknumber(L, 2);
    luaL_checkstring(L, 3); /* (a number becomes a string in place) */
    double pts = luaL_checknumber(L, 4);
    luaL_checkany(L, 5);
    if (lua_istable(L, 1)) {
        lua_createtable(L, 0, 3);
        lua_pushvalue(L, 3); /* the string luaL_checkstring left there */
        up_set(L, UP_NAME);
        lua_pushnumber(L, pts);
        up_set(L, UP_POINTS);
        lua_pushvalue(L, 5);
        up_set(L, UP_EVIDENCE);
        lua_rawseti(L, 1, (lua_Integer)lua_rawlen(L, 1) + 1);
    } else if (!lua_isnil(L, 1)) {
        return luaL_argerror(L, 1, "components must be a table, or nil in score-only calls");
    }
    lua_pushnumber(L, fit + pts);
    return 1;
}

/* A number field of the table at idx, or IMV_UNKNOWN. */
static double num_field(lua_State *L, int idx, const char *k)
{
    double v = lua_getfield(L, idx, k) == LUA_TNUMBER ? lua_tonumber(L, -1) : IMV_UNKNOWN;
    lua_pop(L, 1);
    return v;
}

static int l_intervention_state(lua_State *L)
{
    static const char *const names[] = {"none", "continuing", "stalled", "improved"};
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *id = luaL_optstring(L, 2, NULL);
    double stall = luaL_optnumber(L, 3, IMV_UNKNOWN);
    imv_profile_view v;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    lua_getfield(L, 1, "grade");
    const char *g = lua_tostring(L, -1);
    int grade = g ? imv_grade_parse(g, NULL) : -1;
    v.grade = grade < 0 ? IMV_G_NOT_INSPECTED : (imv_grade)grade;
    v.intervention_months = v.intervention_expected_months = IMV_UNKNOWN;
    if (lua_getfield(L, 1, "current_intervention") == LUA_TTABLE) {
        int ci = lua_absindex(L, -1);
        if (lua_getfield(L, ci, "model") == LUA_TSTRING)
            v.intervention_model = lua_tostring(L, -1); /* stays on the stack */
        v.intervention_months = num_field(L, ci, "months");
        v.intervention_expected_months = num_field(L, ci, "expected_months");
        if (lua_getfield(L, ci, "status") == LUA_TSTRING)
            v.intervention_status = imv_iv_status_parse(lua_tostring(L, -1), v.intervention_status);
    }
    lua_pushstring(L, names[imv_intervention_state(&v, id, stall)]);
    return 1;
}

/* imeval.log(...), and print(...) in the sandbox: the arguments as
 * tostring gives them, separated by spaces, as one log line of the call
 * (see imv_host.log): shown by --trace, dropped otherwise.  Outside a call
 * (while the script loads) there is nowhere to write, and it is a no-op. */
int imv_lua_log(lua_State *L)
{
    lh_inst *I = LH_INST(L);
    imv_result *r = I ? I->log_to : NULL;
    if (!r || r->score_only || !r->model || !r->model->limits || !r->model->limits->trace)
        return 0;
    char line[IMV_MAX_TEXT + 1];
    size_t k = 0;
    int n = lua_gettop(L);
    for (int i = 1; i <= n && k < IMV_MAX_TEXT; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1)
            line[k++] = ' ';
        size_t room = IMV_MAX_TEXT - k;
        memcpy(line + k, s, len < room ? len : room);
        k += len < room ? len : room;
        lua_pop(L, 1);
    }
    line[k] = '\0';
    imv_result_log(r, line); /* a NUL inside ends the line there */
    return 0;
}

/* imeval.worst_rate(p, above) -> rate, "agency_rate" | "vacancy_rate" |
 * "turnover_rate", or nil: imv_worst_rate of imeval_aux.h on p.facts. */
static int l_worst_rate(lua_State *L)
{
    static const int rates[] = {IMV_F_AGENCY_RATE, IMV_F_VACANCY_RATE, IMV_F_TURNOVER_RATE};
    luaL_checktype(L, 1, LUA_TTABLE);
    double above = luaL_checknumber(L, 2);
    imv_profile_view v;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    if (lua_getfield(L, 1, "facts") == LUA_TTABLE)
        for (int i = 0; i < 3; i++) {
            if (lua_getfield(L, -1, imv_fact_name(rates[i])) == LUA_TNUMBER) {
                v.facts[rates[i]] = lua_tonumber(L, -1);
                v.facts_present |= 1u << rates[i];
            }
            lua_pop(L, 1);
        }
    lua_pop(L, 1);
    double rate;
    int f = imv_worst_rate(&v, above, &rate);
    if (f < 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushnumber(L, rate);
    lua_pushstring(L, imv_fact_name(f));
    return 2;
}

#ifdef IMV_LUAJIT
/* LuaJIT cannot compile a call to a C function, and leaving a trace for
 * one costs more than a whole draw of a bundled model; term, clamp, base,
 * fit_part and worst_rate are most of their calls into C.  So under the
 * JIT host each is a Lua function that does exactly what the C one does
 * when its first argument is nil (a table for worst_rate) and the others
 * have the usual types (l_term's and l_clamp's fast paths, l_base,
 * l_fit_part: the same tests, the same one IEEE operation; l_worst_rate:
 * the same fields read the same way, the same comparisons in the same
 * order as imv_worst_rate) and hands every other case, unchanged, to the
 * C one.  `...` is kept whole so
 * that the C function still tells a nil argument from a missing one. */
static const char jit_aux[] =
    "local lib = ...\n"
    "local cterm, cclamp, cbase, cfit = lib.term, lib.clamp, lib.base, lib.fit_part\n"
    "local type = type\n"
    "lib.term = function(...)\n"
    "  local reasons, s, _, pts, up, down, ev = ...\n"
    "  if reasons == nil and type(s) == 'number' and type(pts) == 'number' and ev ~= nil\n"
    "     and (up == nil or type(up) == 'string') and (down == nil or type(down) == 'string') then\n"
    "    return s + pts\n"
    "  end\n"
    "  return cterm(...)\n"
    "end\n"
    "lib.clamp = function(...)\n"
    "  local x, lo, hi = ...\n"
    "  if type(x) == 'number' and type(lo) == 'number' and type(hi) == 'number' then\n"
    "    if x < lo then return lo elseif x > hi then return hi end\n"
    "    return x\n"
    "  end\n"
    "  return cclamp(...)\n"
    "end\n"
    "lib.fit_part = function(...)\n"
    "  local comps, fit, name, pts, ev = ...\n"
    "  if comps == nil and type(fit) == 'number' and type(name) == 'string'\n"
    "     and type(pts) == 'number' and ev ~= nil then\n"
    "    return fit + pts\n"
    "  end\n"
    "  return cfit(...)\n"
    "end\n"
    "local cworst = lib.worst_rate\n"
    "lib.worst_rate = function(...)\n"
    "  local p, above = ...\n"
    "  if type(p) == 'table' and type(above) == 'number' then\n"
    "    local f = p.facts\n"
    "    if type(f) ~= 'table' then return nil end\n"
    "    local top, name = above, nil\n"
    "    local x = f.agency_rate\n"
    "    if type(x) == 'number' and x > top then top, name = x, 'agency_rate' end\n"
    "    x = f.vacancy_rate\n"
    "    if type(x) == 'number' and x > top then top, name = x, 'vacancy_rate' end\n"
    "    x = f.turnover_rate\n"
    "    if type(x) == 'number' and x > top then top, name = x, 'turnover_rate' end\n"
    "    if name == nil then return nil end\n"
    "    return top, name\n"
    "  end\n"
    "  return cworst(...)\n"
    "end\n"
    "lib.base = function(...)\n"
    "  local reasons, b, text, ev = ...\n"
    "  if reasons == nil and type(b) == 'number' and type(text) == 'string' and ev ~= nil then\n"
    "    return b\n"
    "  end\n"
    "  return cbase(...)\n"
    "end\n";

void imv_lua_jit_aux(lua_State *L)
{
    if (luaL_loadbufferx(L, jit_aux, sizeof jit_aux - 1, "=imeval", "t") != LUA_OK)
        lua_error(L);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 0);
}
#endif

void imv_lua_open_aux(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"clamp", l_clamp},
        {"term", l_term},
        {"base", l_base},
        {"fit_part", l_fit_part},
        {"intervention_state", l_intervention_state},
        {"worst_rate", l_worst_rate},
        {"log", imv_lua_log},
        {NULL, NULL},
    };
    static const char *const keys[UP_COUNT] = {"fields", "points", "text", "evidence", "name"};
    for (int i = 0; i < UP_COUNT; i++)
        lua_pushstring(L, keys[i]);
    luaL_setfuncs(L, fns, UP_COUNT);
}
