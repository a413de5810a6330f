-- timeline.lua - checks imeval.timeline against the timeline the three
-- bundled Lua models computed in Lua before it existed (the formula below
-- is that code, kept here as the oracle), over grades, ratings, facts,
-- trajectories, months in place and set-up months.  Any difference is an
-- error naming the case; all equal scores 64.
local function old_timeline(p, setup, in_place)
  local ru = p.rules or {}
  local fair, good = imeval.journey(p)
  if not in_place then
    return { setup_months = setup, months_to_fair = fair > 0 and setup + fair or 0,
             months_to_good = good > 0 and setup + good or 0 }
  end
  local pace = ru.trajectory == "stalling" and 0.5 or ru.trajectory == "deteriorating" and 0 or 1
  local left = fair - (ru.months or 0) * pace
  if fair > 0 and left < 6 then left = 6 end
  return { setup_months = 0, months_to_fair = fair > 0 and left or 0,
           months_to_good = good > 0 and (fair > 0 and left or 0) + (good - fair) or 0 }
end

local NAMES = { "senior_leadership", "middle_leadership", "leadership_stability",
  "political_commitment", "corporate_leadership", "acceptance", "governance", "partnerships",
  "self_assessment", "workforce_stability", "financial_resilience", "failure_extent",
  "initial_response" }

local function ratings(level, spread)
  local r = {}
  for i, k in ipairs(NAMES) do r[k] = math.min(4, math.max(0, level + spread * ((i % 3) - 1))) end
  return r
end

return {
  id = "lua_timeline", name = "Timeline probe", version = "1.0.0",
  summary = "checks imeval.timeline", evidence = "none",
  parameters = {},
  score = function()
    local cases = 0
    local trajectories = { "on_track", "stalling", "deteriorating", "improved", "unknown", "none", false }
    local months = { false, 0, 5, 30, 200 }
    for _, grade in ipairs({ "inadequate", "requires_improvement", "good", "not_inspected" }) do
      for _, level in ipairs({ 0, 1, 2.5, 4 }) do
        for _, facts in ipairs({ {}, { agency_rate = 0.3, vacancy_rate = 0.25 } }) do
          for _, tr in ipairs(trajectories) do
            for _, mo in ipairs(months) do
              local p = { grade = grade, ratings = ratings(level, 0.5), facts = facts,
                          rules = { trajectory = tr or nil, months = mo or nil } }
              for _, setup in ipairs({ 0, 6, 18 }) do
                for _, in_place in ipairs({ true, false }) do
                  local want, got = old_timeline(p, setup, in_place), imeval.timeline(p, setup, in_place)
                  for _, k in ipairs({ "setup_months", "months_to_fair", "months_to_good" }) do
                    if want[k] ~= got[k] then
                      error(string.format("%s: %s, level %g, %s, months %s, setup %g, in place %s: %s want %.17g got %s",
                        k, grade, level, tostring(tr), tostring(mo), setup, tostring(in_place), k,
                        want[k], tostring(got[k])), 0)
                    end
                  end
                  cases = cases + 1
                end
              end
            end
          end
        end
      end
    end
    if cases < 1000 then error("only " .. cases .. " cases compared", 0) end
    return 64
  end,
}
