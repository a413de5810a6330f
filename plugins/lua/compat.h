/*
 * compat.h - the Lua 5.4 API the host uses, on LuaJIT 2.1 (5.1 API) too.
 *
 * The host's sources are compiled twice: against Lua 5.4 for imeval, and
 * with -DIMV_LUAJIT against LuaJIT for the worker build/imeval-luajit
 * (plugins/jit_main.c), which runs score-only draws JIT-compiled in a
 * process the parent can kill.  Under Lua 5.4 this header only names the
 * instance pointer; under LuaJIT it fills in what 5.1 lacks, with the
 * 5.4 meaning wherever the host relies on it (getters return the type,
 * luaL_len honours __len).
 */
#ifndef IMV_LUA_COMPAT_H
#define IMV_LUA_COMPAT_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#ifndef IMV_LUAJIT

/* The lh_inst a state belongs to, kept in the state's extra space. */
#define LH_INST(L) (*(struct lh_inst **)lua_getextraspace(L))
#define LH_SET_INST(L, I) (*(struct lh_inst **)lua_getextraspace(L) = (I))

#else /* LuaJIT 2.1 */

#include <luajit.h>

/* LuaJIT has no extra space: the instance is the allocator's userdata,
 * which every state has (imv_lua_alloc's ud), and reading it is a load. */
static inline struct lh_inst *lh_inst_of(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return ud;
}
#define LH_INST(L) lh_inst_of(L)
#define LH_SET_INST(L, I) ((void)(I))

#define LUA_OK 0
#define LUA_GNAME "_G"
#define LUA_LOADED_TABLE "_LOADED"
#define lua_Unsigned unsigned long long
#define luaL_intop(op, v1, v2) ((lua_Integer)((lua_Unsigned)(v1)op(lua_Unsigned)(v2)))

static inline int lh_getfield(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    return lua_type(L, -1);
}

static inline int lh_rawget(lua_State *L, int idx)
{
    lua_rawget(L, idx);
    return lua_type(L, -1);
}

static inline int lh_rawgeti(lua_State *L, int idx, lua_Integer n)
{
    lua_rawgeti(L, idx, (int)n);
    return lua_type(L, -1);
}

static inline void lh_rawseti(lua_State *L, int idx, lua_Integer n)
{
    lua_rawseti(L, idx, (int)n);
}

#define lua_getfield lh_getfield
#define lua_rawget lh_rawget
#define lua_rawgeti lh_rawgeti
#define lua_rawseti lh_rawseti

static inline int lh_absindex(lua_State *L, int idx)
{
    return idx > 0 || idx <= LUA_REGISTRYINDEX ? idx : lua_gettop(L) + idx + 1;
}
#define lua_absindex lh_absindex

#define lua_rawlen(L, i) lua_objlen(L, i)
#define lua_newuserdatauv(L, n, nuv) lua_newuserdata(L, n)
#define lua_pushglobaltable(L) lua_pushvalue(L, LUA_GLOBALSINDEX)

static inline int lh_geti(lua_State *L, int idx, lua_Integer i)
{
    idx = lua_absindex(L, idx);
    lua_pushinteger(L, i);
    lua_gettable(L, idx);
    return lua_type(L, -1);
}

static inline void lh_seti(lua_State *L, int idx, lua_Integer i)
{
    idx = lua_absindex(L, idx);
    lua_pushinteger(L, i);
    lua_insert(L, -2);
    lua_settable(L, idx);
}
#define lua_geti lh_geti
#define lua_seti lh_seti

/* #t as 5.4 computes it: __len when there is one (5.1 ignores it for
 * tables), which must give an integer. */
static inline lua_Integer lh_len(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (!luaL_callmeta(L, idx, "__len"))
        return (lua_Integer)lua_objlen(L, idx);
    int ok = 0;
    lua_Integer n = lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok)
        luaL_error(L, "object length is not an integer");
    return n;
}
#define luaL_len lh_len

/* 5.4's luaL_requiref with glb set, for the libraries the sandbox opens.
 * 5.1's luaopen_* register their globals themselves, and what they return
 * need not be the module (luaopen_jit returns the architecture's name):
 * the global a library set is kept and pushed; only a function that set
 * none (imeval's own) gets its result as the global. */
static inline void lh_requiref(lua_State *L, const char *name, lua_CFunction f, int glb)
{
    lua_pushcfunction(L, f);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (glb) {
        lua_getfield(L, LUA_GLOBALSINDEX, name);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_setfield(L, LUA_GLOBALSINDEX, name);
        } else {
            lua_replace(L, -2);
        }
    }
}
#define luaL_requiref lh_requiref

/* What imeval.log shows of a value (only in traced full calls, which the
 * JIT host declines: simple and safe is enough). */
static inline const char *lh_tolstring(lua_State *L, int idx, size_t *len)
{
    if (luaL_callmeta(L, idx, "__tostring")) {
        if (!lua_isstring(L, -1))
            luaL_error(L, "'__tostring' must return a string");
    } else if (lua_type(L, idx) == LUA_TNUMBER || lua_type(L, idx) == LUA_TSTRING) {
        lua_pushvalue(L, idx);
        lua_tostring(L, -1);
    } else if (lua_type(L, idx) == LUA_TBOOLEAN) {
        lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
    } else if (lua_isnil(L, idx)) {
        lua_pushliteral(L, "nil");
    } else {
        lua_pushfstring(L, "%s: %p", luaL_typename(L, idx), lua_topointer(L, idx));
    }
    return lua_tolstring(L, -1, len);
}
#define luaL_tolstring lh_tolstring

#endif /* IMV_LUAJIT */

#endif
