/*
 * declare.c - the declared properties of a Lua model (plugin ABI 2): a
 * parameter's plausible range and its fixed and base flags, and the
 * model's rating directions, read from the model table into the same
 * fields a C plugin fills (core/declare.c checks both alike).
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "../../core/internal.h"
#include "lua_aux.h"

/* The declared properties of a parameter (plugin ABI 2), for the table
 * on top of the stack: plausible = { low, high }, fixed = true, base =
 * true.  Pushes an error message and returns -1 when one is malformed. */
int imv_lua_param_extras(lua_State *L, int i, imv_param_def *p)
{
    static const char *const flag_keys[2] = {"fixed", "base"};
    static const uint32_t flag_bits[2] = {IMV_PARAM_FIXED, IMV_PARAM_BASE};
    for (int k = 0; k < 2; k++) {
        int t = lua_getfield(L, -1, flag_keys[k]);
        if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
            lua_pushfstring(L, "parameters[%d].%s must be true or false", i, flag_keys[k]);
            return -1;
        }
        if (lua_toboolean(L, -1))
            p->flags |= flag_bits[k];
        lua_pop(L, 1);
    }
    int t = lua_getfield(L, -1, "plausible");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    double *dst[2] = {&p->plausible_low, &p->plausible_high};
    for (int k = 0; t == LUA_TTABLE && k < 2; k++) {
        if (lua_rawgeti(L, -1, k + 1) != LUA_TNUMBER)
            t = LUA_TNIL;
        else
            *dst[k] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    if (t != LUA_TTABLE || lua_rawlen(L, -1) != 2) {
        lua_pushfstring(L, "parameters[%d].plausible must be { low, high }", i);
        return -1;
    }
    lua_pop(L, 1);
    return 0;
}

/* The model table's directions (on top of the stack) as the string of
 * imv_model_def.directions: a string as in C, or a table { rating = "+" }. */
int imv_lua_directions(lua_State *L, char *out, size_t len)
{
    int t = lua_getfield(L, -1, "directions");
    out[0] = '\0';
    if (t == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        if (n >= len)
            return luaL_error(L, "directions: longer than %d bytes", (int)len - 1);
        memcpy(out, s, n + 1);
    } else if (t == LUA_TTABLE) {
        size_t k = 0;
        for (int i = 0; i < IMV_R_COUNT; i++) {
            const char *name = imv_rating_name(i);
            if (lua_getfield(L, -1, name) == LUA_TSTRING) {
                k += (size_t)snprintf(out + k, len - k, "%s%s:%s", k ? "," : "", name,
                                      lua_tostring(L, -1));
                if (k >= len) /* or the next snprintf would write past out */
                    return luaL_error(L, "directions: longer than %d bytes", (int)len - 1);
            } else if (!lua_isnil(L, -1))
                return luaL_error(L, "directions.%s must be \"+\", \"-\" or \"0\"", name);
            lua_pop(L, 1);
        }
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING || imv_rating_index(lua_tostring(L, -1)) < 0)
                return luaL_error(L, "directions: %s is not a rating",
                                  lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "a key");
        }
    } else if (t != LUA_TNIL) {
        return luaL_error(L, "directions must be a table { rating = \"+\" } or a string");
    }
    lua_pop(L, 1);
    return t == LUA_TNIL ? 0 : 1;
}
