-- runtime.lua - loads fine, fails when scoring a profile whose acceptance
-- is below 2 (a runtime error on line 9), scores 33 otherwise.
return {
  id = "lua_runtime", name = "Runtime error", version = "1.0.0",
  summary = "fails on some profiles", evidence = "none",
  score = function(p, params)
    if p.ratings.acceptance < 2 then
      local missing = nil
      return missing.field
    end
    return 33
  end,
}
