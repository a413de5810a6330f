-- jit_churn.lua - a model whose every draw makes thousands of short
-- strings, for tests/check_luajit.c: enough garbage for the collector to
-- run full cycles in one batch, and strings the size of a table header to
-- land wherever it frees one.  (LuaJIT issue 1168: with ffi's finalizer
-- table reachable from nothing, a cycle freed it, the strings took its
-- place, and closing the state read them as the table: a crash.)
local format = string.format
local keep = {}
return {
  id = "jit_churn",
  name = "Garbage-making fixture",
  version = "1.0.0",
  summary = "makes garbage every draw",
  evidence = "none (test)",
  parameters = {},
  score = function(p, params)
    local acc = p.ratings.acceptance
    for i = 1, 4000 do
      keep[i % 64 + 1] = format("%030.0f", acc * 1e6 + i)
    end
    return acc
  end,
}
