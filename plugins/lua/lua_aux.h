/* lua_aux.h - what the SDK adds to the Lua host: the model-author helpers
 * of the `imeval` library (plugins/lua/aux.c) and the reading of declared
 * properties (plugins/lua/declare.c); private to the Lua host. */
#ifndef IMV_LUA_AUX_H
#define IMV_LUA_AUX_H

#include "compat.h"

/* Add clamp, term, base and intervention_state to the table on top of
 * the stack (the `imeval` library being built). */
void imv_lua_open_aux(lua_State *L);
/* LuaJIT only: replace term, clamp, base and fit_part of the table on top of the
 * stack by Lua functions with the same results (aux.c says why). */
void imv_lua_jit_aux(lua_State *L);
/* imeval.log and the sandbox's print (plugins/lua/aux.c). */
int imv_lua_log(lua_State *L);

/* The declared properties of parameters[i], the table on top of the
 * stack (plausible = { low, high }, fixed = true, base = true), into p.
 * Pushes an error message and returns -1 when one is malformed. */
struct imv_param_def;
int imv_lua_param_extras(lua_State *L, int i, struct imv_param_def *p);
/* The `directions` of the model table on top of the stack, as the string
 * of imv_model_def.directions, into out: 1 when given, 0 when absent;
 * raises a Lua error when malformed. */
int imv_lua_directions(lua_State *L, char *out, size_t len);

/* The ABI 2.1 fields of v (history, judgements, progress and the derived
 * facts) into the table p on top of the stack (plugins/lua/history.c). */
struct imv_profile_view;
/* Add the history part of p to the table on top; keys is the index of the
 * state's key table (lua_host.h's keys_push). */
void imv_lua_push_history(lua_State *L, int keys, const struct imv_profile_view *v);
/* How many keys imv_lua_push_history adds to p, and to
 * p.current_intervention: tables made with room for them are not
 * rehashed as they fill. */
#define IMV_LUA_HISTORY_KEYS 15
#define IMV_LUA_INTERVENTION_HISTORY_KEYS 4
/* 1 when a and b agree on every ABI 2.1 field (for reusing p in batches). */
int imv_lua_same_history(const struct imv_profile_view *a, const struct imv_profile_view *b);

#endif
