/*
 * marshal.c - the Lua host's marshalling: a profile view becomes the p
 * table (with caches for the draws of one authority), the parameters the
 * params table, and the table a model returns an imv_result, through the
 * same host functions a C plugin uses.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../imeval_aux.h"
#include "lua_aux.h"
#include "lua_host.h"

#define LH_KEY_NAME(n) #n,
static const char *const named_keys[] = {LH_NAMED_KEYS(LH_KEY_NAME)};
#undef LH_KEY_NAME

static void name_keys(lua_State *L, int at, int n, const char *(*name)(int))
{
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, name(i));
        lua_rawseti(L, -2, at + i);
    }
}

static const char *rule_name(int i)
{
    return imv_rule(i)->name;
}

int imv_lua_make_keys(lua_State *L)
{
    lua_createtable(L, KEY_PARAM + 8, 0);
    name_keys(L, KEY_RATING, IMV_R_COUNT, imv_rating_name);
    name_keys(L, KEY_FACT, IMV_F_COUNT, imv_fact_name);
    name_keys(L, KEY_JUDGEMENT, IMV_J_COUNT, imv_judgement_name);
    name_keys(L, KEY_RULE, IMV_RULE_COUNT, rule_name);
    for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++) {
        lua_pushstring(L, named_keys[i]);
        lua_rawseti(L, -2, KEY_BEFORE_NAMED + 1 + (int)i);
    }
    lua_pushliteral(L, "ratings");
    lua_rawseti(L, -2, KEY_RATINGS);
    lua_pushliteral(L, "score_only");
    lua_rawseti(L, -2, KEY_SCORE_ONLY);
    return 1;
}

/* ---- building p ------------------------------------------------------------- */

static void push_partners(lua_State *L, int keys, const imv_profile_view *v)
{
    lua_createtable(L, (int)v->n_partners, 0);
    for (size_t i = 0; i < v->n_partners; i++) {
        const imv_partner_view *q = v->partners[i];
        lua_createtable(L, 0, 7);
        kset_str(L, keys, KEY_id, q->id);
        kset_str(L, keys, KEY_name, q->name);
        kset_str(L, keys, KEY_grade, imv_grade_name(q->grade));
        if (q->neighbouring >= 0) {
            lua_pushboolean(L, q->neighbouring);
            kset(L, keys, KEY_neighbouring);
        }
        kset_num(L, keys, KEY_child_population, q->child_population);
        kset_num(L, keys, KEY_spare_leadership_capacity, q->spare_leadership_capacity);
        kset_num(L, keys, KEY_current_commitments, q->current_commitments);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    kset(L, keys, KEY_partners);
}

/* The keys imv_lua_push_profile sets itself, and those of
 * p.current_intervention: see IMV_LUA_HISTORY_KEYS. */
#define P_KEYS 12
#define P_INTERVENTION_KEYS 5

/* Build the table for v (ratings left empty), leaving it on the stack. */
void imv_lua_push_profile(lua_State *L, const lh_inst *I, const imv_profile_view *v)
{
    int history = IMV_VIEW_HAS(v, rules_in_force);
    int keys = keys_push(L, I);
    lua_createtable(L, 0, P_KEYS + (history ? IMV_LUA_HISTORY_KEYS : 0));
    kset_str(L, keys, KEY_id, v->id);
    kset_str(L, keys, KEY_name, v->name);
    kset_str(L, keys, KEY_as_of, v->as_of);
    kset_str(L, keys, KEY_grade, imv_grade_name(v->grade));
    lua_createtable(L, (int)v->n_previous, 0);
    for (size_t i = 0; i < v->n_previous; i++) {
        lua_pushstring(L, imv_grade_name(v->previous[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    kset(L, keys, KEY_previous);
    lua_createtable(L, 0, 2);
    kset_num(L, keys, KEY_child_population, v->child_population);
    kset_num(L, keys, KEY_children_in_care, v->children_in_care);
    kset(L, keys, KEY_size);
    lua_rawgeti(L, keys, KEY_RATINGS);
    lua_createtable(L, 0, IMV_R_COUNT);
    lua_rawset(L, -3);
    lua_rawgeti(L, keys, KEY_SCORE_ONLY);
    lua_pushboolean(L, (v->flags & IMV_VIEW_SCORE_ONLY) != 0);
    lua_rawset(L, -3);
    if (v->flags & IMV_VIEW_BRIEF) { /* nil else: nothing to set in draws */
        lua_pushboolean(L, 1);
        kset(L, keys, KEY_brief);
    }
    lua_createtable(L, 0, IMV_F_COUNT);
    for (int i = 0; i < IMV_F_COUNT; i++)
        if (IMV_HAS_FACT(v, i)) {
            lua_pushnumber(L, v->facts[i]);
            kset(L, keys, KEY_FACT + i);
        }
    kset(L, keys, KEY_facts);
    if (v->intervention_model) {
        lua_createtable(L, 0,
                        P_INTERVENTION_KEYS + (history ? IMV_LUA_INTERVENTION_HISTORY_KEYS : 0));
        kset_str(L, keys, KEY_model, v->intervention_model);
        kset_str(L, keys, KEY_since, v->intervention_since);
        kset_str(L, keys, KEY_partner, v->intervention_partner);
        kset_num(L, keys, KEY_months, v->intervention_months);
        kset_num(L, keys, KEY_expected_months, v->intervention_expected_months);
        kset(L, keys, KEY_current_intervention);
    }
    push_partners(L, keys, v);
    imv_lua_push_history(L, keys, v);
    lua_remove(L, keys);
}

/* Write v's ratings into the ratings table of the p on top of the stack
 * (the cached one when cached is set: then only the ratings that changed
 * since the last call, which in bulk draws are the few uncertain ones). */
static void set_ratings(lua_State *L, lh_inst *I, int cached, const imv_profile_view *v)
{
    /* The keys table pushed once, not once a rating: with every rating a
     * range all 13 change in every draw, and a full call sets all 13. */
    int keys = keys_push(L, I);
    if (cached) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_ratings);
    } else {
        lua_rawgeti(L, keys, KEY_RATINGS);
        lua_rawget(L, keys - 1);
    }
    for (int i = 0; i < IMV_R_COUNT; i++)
        if (!cached || memcmp(&v->ratings[i], &I->cached_ratings[i], sizeof(double)) != 0) {
            lua_rawgeti(L, keys, KEY_RATING + i);
            lua_pushnumber(L, v->ratings[i]);
            lua_rawset(L, -3);
            if (cached)
                I->cached_ratings[i] = v->ratings[i];
        }
    lua_pop(L, 2);
}

/* Push p for v.  Bulk draws of one authority (score-only calls with the
 * same key) reuse one table and refresh only its ratings: building it
 * costs more than the model.  p is documented as read-only to models. */
void imv_lua_push_view(lua_State *L, lh_inst *I, const imv_profile_view *v, unsigned long key)
{
    int cache = key != 0 && (v->flags & IMV_VIEW_SCORE_ONLY);
    if (cache && key == I->cached_key) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_p);
    } else {
        imv_lua_push_profile(L, I, v);
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
int imv_lua_same_base(const imv_profile_view *a, const imv_profile_view *b)
{
    return a->flags == b->flags && a->id == b->id && a->name == b->name && a->as_of == b->as_of &&
           a->grade == b->grade && a->n_previous == b->n_previous && a->previous == b->previous &&
           a->child_population == b->child_population &&
           a->children_in_care == b->children_in_care && a->facts_present == b->facts_present &&
           memcmp(a->facts, b->facts, sizeof a->facts) == 0 &&
           a->intervention_model == b->intervention_model &&
           a->intervention_since == b->intervention_since &&
           a->intervention_partner == b->intervention_partner &&
           (a->intervention_months == b->intervention_months ||
            (isnan(a->intervention_months) && isnan(b->intervention_months))) &&
           a->intervention_expected_months == b->intervention_expected_months &&
           a->n_partners == b->n_partners && a->partners == b->partners &&
           imv_lua_same_history(a, b);
}

/* Push a p for v that shares every field but the ratings with the p at
 * base (built for a view with the same base): much cheaper than building
 * it again, and p is read-only to models. */
static void push_copy(lua_State *L, lh_inst *I, int base, const imv_profile_view *v)
{
    lua_createtable(L, 0, P_KEYS + (IMV_VIEW_HAS(v, rules_in_force) ? IMV_LUA_HISTORY_KEYS : 0));
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
void imv_lua_push_params_new(lua_State *L, lh_inst *I, const imv_model *m, const double *params)
{
    lua_createtable(L, 0, (int)m->n_params);
    for (size_t i = 0; i < m->n_params; i++)
        set_key_num(L, I, -1, KEY_PARAM + (int)i, params[i]);
}

/* Push the params table.  One table per state is kept and reused: only
 * values that changed since the last call are written (none, unless the
 * parameters are being varied).  Models treat params as read-only. */
void imv_lua_push_params(lua_State *L, lh_inst *I, const imv_model *m, const double *params)
{
    if (I->w_n == 0 && m->n_params > 0) {
        /* first call, or the first after an error: build the table */
        imv_lua_push_params_new(L, I, m, params);
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

/* A field's place for a message: "<where>k", or "<where>[i].k" when i > 0
 * (reasons[3].text).  Formatted only for a message: each reason of every
 * full call is read through here. */
static int bad_field(lua_State *L, const char *where, int i, const char *k, const char *want)
{
    if (i > 0)
        return luaL_error(L, "result %s[%d].%s must be %s, it is %s", where, i, k, want,
                          luaL_typename(L, -1));
    return luaL_error(L, "result %s%s must be %s, it is %s", where, k, want, luaL_typename(L, -1));
}

static double opt_num(lua_State *L, int idx, const char *k, const char *where, int i, double dflt)
{
    int t = lua_getfield(L, idx, k);
    double v = dflt;
    if (t == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    else if (t != LUA_TNIL)
        bad_field(L, where, i, k, "a number");
    lua_pop(L, 1);
    return v;
}

static const char *opt_str(lua_State *L, int idx, const char *k, const char *where, int i)
{
    int t = lua_getfield(L, idx, k);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t != LUA_TSTRING)
        bad_field(L, where, i, k, "a string");
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

/* The value on top of the stack, result field k: nil, or an array of
 * strings, each given to add. */
static void read_strings(lua_State *L, const char *k, imv_result *r,
                         void (*add)(imv_result *, const char *))
{
    int t = lua_type(L, -1);
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
}

/* The unmet preconditions at the top: a list as read_strings reads it, or
 * one text alone (most draws that have any have one, and a list made
 * for it was most of what a model allocated in bulk draws). */
static void read_unmet(lua_State *L, imv_result *r)
{
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING)
        imv_host_table()->add_unmet(r, lua_tostring(L, -1));
    else if (t == LUA_TTABLE || t == LUA_TNIL)
        read_strings(L, "unmet_preconditions", r, imv_host_table()->add_unmet);
    else
        luaL_error(L, "result unmet_preconditions must be a string or an array of strings");
}

static void string_list(lua_State *L, int idx, const char *k, imv_result *r,
                        void (*add)(imv_result *, const char *))
{
    lua_getfield(L, idx, k);
    read_strings(L, k, r, add);
    lua_pop(L, 1);
}

/* partner.components: { {name, points, evidence}, ... }, the parts of
 * the fit of partner id (imv_host.partner_component). */
static void fit_components(lua_State *L, int pi, const char *id, imv_result *r, const imv_host *h)
{
    int t = lua_getfield(L, pi, "components");
    if (t == LUA_TTABLE) {
        int ci = lua_absindex(L, -1);
        lua_Integer n = luaL_len(L, ci);
        for (lua_Integer i = 1; i <= n && i <= IMV_MAX_FIT_PARTS + 1; i++) {
            if (lua_rawgeti(L, ci, i) != LUA_TTABLE)
                luaL_error(L,
                           "result partner.components[%d] must be a table {name, points, "
                           "evidence}",
                           (int)i);
            int ki = lua_absindex(L, -1);
            const char *name = opt_str(L, ki, "name", "partner.components", (int)i);
            double pts = opt_num(L, ki, "points", "partner.components", (int)i, NAN);
            const char *ev = opt_str(L, ki, "evidence", "partner.components", (int)i);
            h->partner_component(r, id, name, pts, ev);
            lua_settop(L, ki - 1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "result partner.components must be an array of tables");
    }
    lua_pop(L, 1);
}

/* Read the result at idx into r through the same host functions a C
 * plugin uses, so both get the same checks. */
void imv_lua_read_result(lua_State *L, int idx, imv_result *r)
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
    const char *e = opt_str(L, idx, "error", "", 0);
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
            if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
                luaL_error(L, "result reasons[%d] must be a table", (int)i);
            int ri = lua_absindex(L, -1);
            const char *f = reason_fields(L, ri, (int)i);
            double pts = opt_num(L, ri, "points", "reasons", (int)i, 0);
            const char *text = opt_str(L, ri, "text", "reasons", (int)i);
            const char *ev = opt_str(L, ri, "evidence", "reasons", (int)i);
            h->add_reason(r, f, pts, text, ev);
            lua_settop(L, ri - 1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "result reasons must be an array of tables");
    }
    if (!r->score_only)
        lua_pop(L, 1);
    lua_getfield(L, idx, "unmet_preconditions");
    read_unmet(L, r);
    lua_pop(L, 1);
    if (!r->score_only)
        string_list(L, idx, "risks", r, h->add_risk);
    t = lua_getfield(L, idx, "timeline");
    if (t == LUA_TTABLE) {
        int ti = lua_absindex(L, -1);
        h->set_timeline(r, opt_num(L, ti, "setup_months", "timeline.", 0, IMV_UNKNOWN),
                        opt_num(L, ti, "months_to_fair", "timeline.", 0, IMV_UNKNOWN),
                        opt_num(L, ti, "months_to_good", "timeline.", 0, IMV_UNKNOWN));
    } else if (t != LUA_TNIL) {
        luaL_error(L, "result timeline must be a table");
    }
    lua_pop(L, 1);
    t = lua_getfield(L, idx, "partner");
    if (t == LUA_TTABLE && !r->score_only) {
        int pi = lua_absindex(L, -1);
        const char *id = opt_str(L, pi, "id", "partner.", 0);
        double fit = opt_num(L, pi, "fit", "partner.", 0, NAN);
        if (id) {
            h->set_partner(r, id, fit);
            fit_components(L, pi, id, r, h);
        }
    } else if (t != LUA_TNIL && t != LUA_TTABLE) {
        luaL_error(L, "result partner must be a table {id, fit, components}");
    }
    lua_settop(L, top);
}

void imv_lua_read_results(lua_State *L, int idx, imv_result *r)
{
    idx = lua_absindex(L, idx);
    int number = lua_type(L, idx) == LUA_TNUMBER;
    if (!number && !lua_isnil(L, idx + 1))
        luaL_error(L,
                   "score returned a %s and a second value: only a number score may be "
                   "followed by its unmet preconditions",
                   luaL_typename(L, idx));
    imv_lua_read_result(L, idx, r);
    if (number) {
        lua_pushvalue(L, idx + 1);
        read_unmet(L, r);
        lua_pop(L, 1);
    }
}

int imv_lua_call_score(lua_State *L)
{
    call *c = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->I->ref_score);
    imv_lua_push_view(L, c->I, c->v[0], c->key);
    imv_lua_push_params(L, c->I, c->m, c->params[0]);
    lua_call(L, 2, 2);
    imv_lua_read_results(L, -2, c->r[0]);
    return 0;
}

int imv_lua_call_batch(lua_State *L)
{
    call *c = lua_touserdata(L, 1);
    lh_inst *I = c->I;
    size_t np = c->m->n_params;
    lua_rawgeti(L, LUA_REGISTRYINDEX, I->ref_batch);
    /* ps: views of one profile share one base table (see push_copy) */
    lua_createtable(L, (int)c->n, 0);
    int ps = lua_gettop(L);
    lua_pushnil(L);
    int base = lua_gettop(L);
    size_t base_view = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (i == 0 || !imv_lua_same_base(c->v[i], c->v[base_view])) {
            imv_lua_push_profile(L, I, c->v[i]);
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
            imv_lua_push_params_new(L, I, c->m, c->params[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_call(L, 2, 1);
    if (!lua_istable(L, -1))
        return luaL_error(L, "score_batch must return an array of results");
    for (size_t i = 0; i < c->n; i++) {
        if (lua_rawgeti(L, -1, (lua_Integer)i + 1) == LUA_TNIL)
            return luaL_error(L, "score_batch returned no result for item %d", (int)i + 1);
        imv_lua_read_result(L, -1, c->r[i]);
        lua_pop(L, 1);
    }
    return 0;
}
