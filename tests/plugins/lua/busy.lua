-- busy.lua - does a fixed amount of work per call (params.n iterations),
-- to show that the budget is per call, not per state.
return {
  id = "lua_busy", name = "Busy", version = "1.0.0",
  summary = "loops n times", evidence = "none",
  parameters = { { name = "n", default = 1000, min = 0, max = 100000000,
                   description = "iterations" } },
  score = function(p, params)
    local s = 0
    for i = 1, params.n do s = s + i end
    return 10
  end,
}
