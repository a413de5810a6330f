-- jit_syntax.lua - for tests/e2e/lua_engine.sh: Lua 5.4 syntax LuaJIT
-- cannot load (floor division).  Under --lua-engine luajit or auto its
-- draws must be scored on Lua 5.4, exactly as with --lua-engine lua5.4.
return {
  id = "jit_syntax", name = "Engine fixture: Lua 5.4 syntax", version = "1.0.0",
  summary = "uses floor division, which LuaJIT does not parse", evidence = "none (test)",
  score = function(p, params)
    local acc = p.ratings.acceptance
    local steps = (acc * 10) // 3
    return { score = 3 * steps,
             reasons = { { fields = { "ratings.acceptance" }, points = 3 * steps,
                           text = "acceptance in steps of 0.3", evidence = "test fixture" } } }
  end,
}
