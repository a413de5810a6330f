-- membomb.lua - grows a table of strings without end: the memory cap must
-- stop it (long before the instruction budget, with the limits the test
-- sets).
return {
  id = "lua_membomb", name = "Memory bomb", version = "1.0.0",
  summary = "grows a table without end", evidence = "none",
  score = function(p, params)
    local t = {}
    local s = "x"
    while true do
      s = s .. s
      t[#t + 1] = s
    end
  end,
}
