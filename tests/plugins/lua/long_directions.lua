-- long_directions.lua - rating directions longer than the host's buffer:
-- the second one used to be written past its end (a stack overflow).
return {
  id = "lua_long_directions", name = "Long directions", version = "1.0.0",
  summary = "directions too long", evidence = "none (test)",
  directions = { acceptance = string.rep("+", 1500), governance = string.rep("-", 1500) },
  score = function(p, params) return 10 end,
}
