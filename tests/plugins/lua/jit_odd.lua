-- jit_odd.lua - for tests/e2e/lua_engine.sh: draws whose results are
-- not plain scores, each kind in its own band of acceptance (drawn from
-- 0.2..3.6 in host_all.json): a score outside 0..100, a timeline past
-- 1,200 months, more than 200 unmet preconditions, no score; the rest
-- plain, viable or not.  Whatever engine runs the draws, each must fail
-- or count exactly as under Lua 5.4.
return {
  id = "jit_odd", name = "Engine fixture: results that are not plain scores", version = "1.0.0",
  summary = "odd results in some draws", evidence = "none (test)",
  score = function(p, params)
    local a = p.ratings.acceptance
    if a < 0.6 then return { score = 100 + a } end
    if a < 1.0 then return { score = 50, setup_months = 5000, months_to_fair = 6, months_to_good = 12 } end
    if a < 1.4 then
      local u = {}
      for i = 1, 201 do u[i] = "precondition " .. i end
      return { score = 40, unmet_preconditions = u }
    end
    if a < 1.7 then return { score = 0 / 0 } end
    if a < 2.0 then return { unmet_preconditions = { "no score" } } end
    return { score = 10 * a, unmet_preconditions = a < 2.6 and { "the council must accept" } or nil,
             setup_months = 3, months_to_fair = 18, months_to_good = 30 }
  end,
}
