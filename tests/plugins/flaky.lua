-- flaky.lua - fails only where acceptance is above 2.5, for the draws test
-- in tests/check_uncertainty.c: a model that fails in some draws must be
-- reported, not just ranked last in them.
return {
  id = "flaky", name = "Flaky (test)", version = "1.0.0",
  summary = "50, or an error when acceptance > 2.5", evidence = "none (test)",
  score = function(p, w)
    if p.ratings.acceptance > 2.5 then error("acceptance above 2.5") end
    return { score = 50 }
  end,
}
