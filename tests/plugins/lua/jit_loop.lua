-- jit_loop.lua - for tests/e2e/lua_engine.sh: in score-only calls (draws)
-- it loops for ever under LuaJIT, where only the worker's CPU allowance or
-- its deadline can stop it, and under both engines when acceptance is
-- above 3, where Lua 5.4's instruction budget stops it with an error.
-- Full evaluations score as usual: 10 points per point of acceptance.
-- Under LuaJIT every number is a double, so the two literals are equal;
-- under Lua 5.4 they are distinct integers.
local under_luajit = 9007199254740993 == 9007199254740992
return {
  id = "jit_loop", name = "Engine fixture: loops in draws", version = "1.0.0",
  summary = "loops in score-only calls under LuaJIT, and under both above acceptance 3",
  evidence = "none (test)",
  score = function(p, params)
    local acc = p.ratings.acceptance
    if p.score_only and (under_luajit or acc > 3) then
      local n = 0
      while true do n = n + 1 end
    end
    return { score = 10 * acc,
             reasons = { { fields = { "ratings.acceptance" }, points = 10 * acc,
                           text = "acceptance counts", evidence = "test fixture" } } }
  end,
}
