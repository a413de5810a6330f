-- nested_error.lua - fails two calls deep when acceptance is below 2, so
-- that its error must say how line 6 was reached (tests/check_lua.c).
local function check(x)
  if x < 2 then
    local why = "acceptance too low: " .. x
    error(why)
  end
end
local function rules(p)
  check(p.ratings.acceptance)
  return 40
end
return {
  id = "lua_nested", name = "Nested error", version = "1.0.0",
  summary = "fails in a helper", evidence = "none",
  score = function(p, params)
    local s = rules(p)
    return s
  end,
}
