-- good.lua - a well-behaved Lua model for tests/check_lua.c.  Its score
-- is weight * acceptance + bonus (defaults 10 and 20), exactly as the C
-- fixture reg_good.c, so the two hosts can be compared.
return {
  id = "lua_good",
  name = "Lua fixture",
  version = "3.0.1",
  summary = "a predictable Lua model for the host tests",
  evidence = "none (test)",
  parameters = {
    { name = "weight", default = 10, min = 0, max = 20,
      description = "points per point of acceptance" },
    { name = "bonus", default = 20, min = -10, max = 20,
      description = "points added to every profile" },
  },
  score = function(p, params)
    local acc = p.ratings.acceptance
    local r = {
      score = params.weight * acc + params.bonus,
      reasons = {
        { fields = { "ratings.acceptance", "ratings.governance" },
          points = params.weight * acc,
          text = "acceptance counts", evidence = "test fixture" },
      },
      unmet_preconditions = {},
      risks = { "a test risk" },
      timeline = { setup_months = 2, months_to_fair = 20 },
    }
    if acc < 1 then
      r.unmet_preconditions[1] = "the council must accept the judgement"
    end
    if #p.partners > 0 then
      r.partner = { id = p.partners[1].id, fit = 75 }
    end
    return r
  end,
}
