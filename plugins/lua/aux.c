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
 *   imeval.intervention_state(p, id, stall)
 *       -> "none", "continuing", "stalled" or "improved"
 *   imeval.rules(p, id, stall)
 *       -> the rules of p's date and the trajectory of the intervention in
 *          place, from plugins/imeval_rules.h (the code the C models and
 *          the engine's monitor use): { persistent = 1|0|-1,
 *          persistent_year, persistent_earlier_year, systemic = 1|0|-1,
 *          n_key, trajectory = "none"|"on_track"|"stalling"|
 *          "deteriorating"|"improved"|"unknown", why, months,
 *          commissioner_weight, regime }
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/internal.h"
#include "../imeval_aux.h"
#include "../imeval_rules.h"
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

/* Append { fields, points, text, evidence } to the reasons table at idx. */
static void append_reason(lua_State *L, int idx, int fields, double pts, const char *text,
                          int evidence)
{
    lua_createtable(L, 0, 4);
    if (fields)
        lua_pushvalue(L, fields);
    else
        lua_createtable(L, 0, 0);
    lua_setfield(L, -2, "fields");
    lua_pushnumber(L, pts);
    lua_setfield(L, -2, "points");
    lua_pushstring(L, text);
    lua_setfield(L, -2, "text");
    lua_pushvalue(L, evidence);
    lua_setfield(L, -2, "evidence");
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
    if (lua_type(L, 1) == LUA_TNIL && lua_type(L, 2) == LUA_TNUMBER &&
        lua_type(L, 4) == LUA_TNUMBER && str_or_nil(L, 5) && str_or_nil(L, 6) &&
        lua_type(L, 7) != LUA_TNONE) {
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
        if (t)
            append_reason(L, 1, 3, pts, t, 7);
    } else if (!lua_isnil(L, 1)) {
        return luaL_argerror(L, 1, "reasons must be a table, or nil in score-only calls");
    }
    lua_pushnumber(L, s + pts);
    return 1;
}

static int l_base(lua_State *L)
{
    double base = luaL_checknumber(L, 2);
    const char *text = luaL_checkstring(L, 3);
    luaL_checkany(L, 4);
    if (lua_istable(L, 1))
        append_reason(L, 1, 0, base, text, 4);
    else if (!lua_isnil(L, 1))
        return luaL_argerror(L, 1, "reasons must be a table, or nil in score-only calls");
    lua_pushnumber(L, base);
    return 1;
}

static int l_fit_part(lua_State *L)
{
    double fit = luaL_checknumber(L, 2);
    const char *name = luaL_checkstring(L, 3);
    double pts = luaL_checknumber(L, 4);
    luaL_checkany(L, 5);
    if (lua_istable(L, 1)) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "name");
        lua_pushnumber(L, pts);
        lua_setfield(L, -2, "points");
        lua_pushvalue(L, 5);
        lua_setfield(L, -2, "evidence");
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
            v.intervention_model = lua_tostring(L, -1);  /* stays on the stack */
        v.intervention_months = num_field(L, ci, "months");
        v.intervention_expected_months = num_field(L, ci, "expected_months");
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
    lh_inst *I = *(lh_inst **)lua_getextraspace(L);
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
    imv_result_log(r, line);   /* a NUL inside ends the line there */
    return 0;
}

/* A string field of the table at idx, or NULL; the string stays on the
 * stack (the caller pops the table's values together). */
static const char *str_field(lua_State *L, int idx, const char *k)
{
    return lua_getfield(L, idx, k) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
}

static int grade_of(const char *g)
{
    int v = g ? imv_grade_parse(g, NULL) : -1;
    return v < 0 ? IMV_G_NOT_INSPECTED : v;
}

/* What imeval.rules computed for the cached p table of a state (the one
 * the host reuses for the draws of one authority, rewriting only its
 * ratings, which the rules do not read): computing them again from the
 * table was the largest single cost of a Lua draw.  Keyed by the model id
 * and stall months given.  The table returned is built afresh each call,
 * field by field as computing builds it, so a model can keep or change
 * it; only its strings are kept (in the registry table at ref). */
struct rules_memo {
    int has_id;
    char id[64];
    double stall;
    imv_rules ru;
    double cw;
    int ref;                   /* { trajectory, why, regime } as Lua strings */
};

enum { MEMO_TRAJECTORY = 1, MEMO_WHY, MEMO_REGIME };

void imv_lua_rules_forget(lh_inst *I)
{
    if (I->rules)
        I->rules->has_id = -1;  /* matches nothing; its table is reused */
}

/* The memo of I for p (at stack index 1), id and stall; NULL none. */
static const struct rules_memo *memo_find(lua_State *L, const lh_inst *I, const char *id,
                                          double stall)
{
    const struct rules_memo *m = I->rules;
    if (!m || !I->cached_key || lua_topointer(L, 1) != I->cached_p)
        return NULL;
    if (m->has_id != (id != NULL) || (id && strcmp(m->id, id) != 0) ||
        memcmp(&m->stall, &stall, sizeof stall) != 0)
        return NULL;
    return m;
}

/* The rules table, its strings pushed by push_str(L, k, arg). */
static void push_rules(lua_State *L, const imv_rules *ru, double cw,
                       void (*push_str)(lua_State *, int, const void *), const void *arg)
{
    lua_createtable(L, 0, 10);
    lua_pushinteger(L, ru->persistent);
    lua_setfield(L, -2, "persistent");
    lua_pushinteger(L, ru->persistent_year);
    lua_setfield(L, -2, "persistent_year");
    lua_pushinteger(L, ru->persistent_earlier_year);
    lua_setfield(L, -2, "persistent_earlier_year");
    lua_pushinteger(L, ru->systemic);
    lua_setfield(L, -2, "systemic");
    lua_pushinteger(L, ru->n_key);
    lua_setfield(L, -2, "n_key");
    push_str(L, MEMO_TRAJECTORY, arg);
    lua_setfield(L, -2, "trajectory");
    push_str(L, MEMO_WHY, arg);
    lua_setfield(L, -2, "why");
    if (ru->months != IMV_UNKNOWN) {
        lua_pushnumber(L, ru->months);
        lua_setfield(L, -2, "months");
    }
    lua_pushnumber(L, cw);
    lua_setfield(L, -2, "commissioner_weight");
    push_str(L, MEMO_REGIME, arg);
    lua_setfield(L, -2, "regime");
}

/* Strings of a computation: arg is { trajectory, why, regime }. */
static void push_computed(lua_State *L, int k, const void *arg)
{
    lua_pushstring(L, ((const char *const *)arg)[k - 1]);
}

/* Strings of the memo: arg is the memo's registry ref. */
static void push_memo(lua_State *L, int k, const void *arg)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, *(const int *)arg);
    lua_rawgeti(L, -1, k);
    lua_remove(L, -2);
}

/* Keep the computation for p (stack index 1), its rules table on top. */
static void memo_keep(lua_State *L, lh_inst *I, const char *id, double stall,
                      const imv_rules *ru, double cw)
{
    size_t n = id ? strlen(id) : 0;
    if (!I->cached_key || lua_topointer(L, 1) != I->cached_p || n >= sizeof I->rules->id)
        return;
    struct rules_memo *m = I->rules;
    if (!m) {
        m = malloc(sizeof *m);
        if (!m)
            return;         /* no memo: computed every time */
        m->has_id = -1;
        m->ref = LUA_NOREF;
        I->rules = m;       /* freed with I, whatever raises below */
    }
    m->has_id = -1;         /* until the strings are in */
    if (m->ref == LUA_NOREF) {
        lua_createtable(L, 3, 0);
        m->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    int t = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->ref);
    static const char *const keys[] = {"trajectory", "why", "regime"};
    for (int k = 0; k < 3; k++) {
        lua_getfield(L, t, keys[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_settop(L, t);
    m->has_id = id != NULL;
    memcpy(m->id, id ? id : "", n + 1);
    m->stall = stall;
    m->ru = *ru;
    m->cw = cw;
}

static int l_rules(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *id = luaL_optstring(L, 2, NULL);
    double stall = luaL_optnumber(L, 3, IMV_UNKNOWN);
    lh_inst *I = *(lh_inst **)lua_getextraspace(L);
    const struct rules_memo *memo = memo_find(L, I, id, stall);
    if (memo) {
        push_rules(L, &memo->ru, memo->cw, push_memo, &memo->ref);
        return 1;
    }
    int top = lua_gettop(L);
    /* Every string read stays on the stack until the rules are computed. */
    luaL_checkstack(L, 3 * 64 + IMV_RULES_MAX_PREVIOUS + IMV_J_COUNT + 20, "imeval.rules");
    int prev[IMV_RULES_MAX_PREVIOUS];
    imv_rules_in in;
    memset(&in, 0, sizeof in);
    in.as_of = str_field(L, 1, "as_of");
    in.grade = grade_of(str_field(L, 1, "grade"));
    in.expected_months = IMV_UNKNOWN;
    if (lua_getfield(L, 1, "previous") == LUA_TTABLE) {
        int t = lua_absindex(L, -1);
        size_t n = lua_rawlen(L, t);
        for (size_t i = 0; i < n && i < IMV_RULES_MAX_PREVIOUS; i++) {
            lua_rawgeti(L, t, (lua_Integer)i + 1);
            prev[i] = grade_of(lua_tostring(L, -1));
            lua_pop(L, 1);
            in.n_previous = i + 1;
        }
    }
    in.previous = prev;
    const char *pdates[IMV_RULES_MAX_PREVIOUS] = {0};
    if (lua_getfield(L, 1, "history") == LUA_TTABLE) {
        int t = lua_absindex(L, -1);
        for (size_t i = 0; i < in.n_previous; i++) {
            if (lua_rawgeti(L, t, (lua_Integer)i + 1) == LUA_TTABLE)
                pdates[i] = str_field(L, lua_absindex(L, -1), "date");
            /* left on the stack with its string until settop below */
        }
        in.previous_date = pdates;
    }
    /* p.inspected falls back to as_of: only a date of its own places the
     * current judgement under the intervention. */
    in.inspected = str_field(L, 1, "inspected");
    if (in.inspected && in.as_of && strcmp(in.inspected, in.as_of) == 0)
        in.inspected = NULL;
    if (lua_getfield(L, 1, "judgements") == LUA_TTABLE) {
        static const char *const names[IMV_J_COUNT] = {
            "leadership", "help_and_protection", "children_in_care", "care_leavers", "adoption",
        };
        int t = lua_absindex(L, -1);
        unsigned present = 0;
        imv_grade js[IMV_J_COUNT] = {0};
        for (int k = 0; k < IMV_J_COUNT; k++) {
            const char *g = str_field(L, t, names[k]);
            if (g) {
                js[k] = (imv_grade)grade_of(g);
                present |= 1u << k;
            }
        }
        imv_rules_key_judgements(present, js, in.inspected ? in.inspected : in.as_of, &in.n_key,
                                 &in.n_key_inadequate);
    }
    int findings[64];
    const char *fdates[64];
    if (lua_getfield(L, 1, "current_intervention") == LUA_TTABLE) {
        int ci = lua_absindex(L, -1);
        in.model = str_field(L, ci, "model");
        in.since = str_field(L, ci, "since");
        in.expected_months = in.model && id && strcmp(in.model, id) == 0
                                 ? stall : num_field(L, ci, "expected_months");
        if (lua_getfield(L, ci, "progress") == LUA_TTABLE) {
            static const char *const fnames[] = {"improving", "mixed", "static", "deteriorating"};
            int t = lua_absindex(L, -1);
            size_t n = lua_rawlen(L, t);
            for (size_t i = 0; i < n && in.n_progress < 64; i++) {
                if (lua_rawgeti(L, t, (lua_Integer)i + 1) != LUA_TTABLE)
                    continue;
                int it = lua_absindex(L, -1);
                const char *d = str_field(L, it, "date");
                const char *fnd = str_field(L, it, "finding");
                int fi = -1;
                for (int k = 0; fnd && k < 4; k++)
                    if (strcmp(fnd, fnames[k]) == 0)
                        fi = k;
                if (d && fi >= 0) {
                    fdates[in.n_progress] = d;
                    findings[in.n_progress++] = fi;
                }
            }
            in.progress_finding = findings;
            in.progress_date = fdates;
        }
    }
    imv_rules ru;
    imv_rules_compute(&in, &ru);
    const char *regime;
    double cw = imv_rules_commissioner_weight(in.as_of, &regime);
    lua_settop(L, top);
    const char *strs[3] = {imv_trajectory_name(ru.trajectory), ru.why, regime};
    push_rules(L, &ru, cw, push_computed, strs);
    memo_keep(L, I, id, stall, &ru, cw);
    return 1;
}

void imv_lua_open_aux(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"clamp", l_clamp},
        {"term", l_term},
        {"base", l_base},
        {"fit_part", l_fit_part},
        {"intervention_state", l_intervention_state},
        {"log", imv_lua_log},
        {"rules", l_rules},
        {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
