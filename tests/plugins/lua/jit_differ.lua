-- jit_differ.lua - for tests/e2e/lua_engine.sh: a score that differs
-- between the engines in every call.  Under Lua 5.4 the two literals are
-- distinct integers (their difference is 1); under LuaJIT both are the
-- same double (2^53), so the difference is 0.  imeval must give exactly
-- the Lua 5.4 figures whichever engine runs the draws.
return {
  id = "jit_differ", name = "Engine fixture: integers past 2^53", version = "1.0.0",
  summary = "one point more under Lua 5.4 than under LuaJIT", evidence = "none (test)",
  score = function(p, params)
    local one = 9007199254740993 - 9007199254740992
    local acc = p.ratings.acceptance
    return { score = 10 * acc + 5 * one,
             reasons = { { fields = { "ratings.acceptance" }, points = 10 * acc,
                           text = "acceptance counts", evidence = "test fixture" } } }
  end,
}
