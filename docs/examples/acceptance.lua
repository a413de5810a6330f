-- acceptance.lua - the plugin guide's Lua example: the same rule as
-- acceptance.c.  Load it with  imeval evaluate --model acceptance.lua PROFILE
return {
  id = "acceptance_lua",
  name = "Acceptance (Lua example)",
  version = "1.0.0",
  summary = "scores acceptance of the judgement; more acceptance never lowers it",
  evidence = "003 ch.1 (recognition of weakness)",
  parameters = {
    { name = "weight", default = 10, min = 0, max = 25, plausible = { 7, 13 },
      description = "points per step of acceptance above 2" },
    { name = "min_acceptance", default = 1, min = 0, max = 4, plausible = { 0.75, 1.25 },
      description = "below this the model is not viable" },
  },
  directions = { acceptance = "+" },
  score = function(p, w)
    local a = p.ratings.acceptance
    local pts = w.weight * (a - 2)
    local s = math.max(0, math.min(100, 50 + pts))
    local fair, good = imeval.journey(p)
    return {
      score = s,
      reasons = { {
        fields = { "ratings.acceptance" }, points = pts,
        text = pts >= 0 and "leaders accept what went wrong" or "leaders dispute the judgement",
        evidence = "003 ch.1: full and frank acknowledgement comes first",
      } },
      unmet_preconditions = a < w.min_acceptance and { "leaders do not yet accept the judgement" } or {},
      timeline = { setup_months = 1, months_to_fair = fair, months_to_good = good },
    }
  end,
}
