-- strategic_partnership.lua - the council contracts an external (private
-- or voluntary) partner to run or turn round the service under a tight
-- outcomes contract, with experienced managers embedded in the structure.
--
-- Evidence: 000 (Plymouth 2006: "six months to set up a full strategic
-- partnership", "this time lag caused further problems"; 16 embedded
-- interim managers; the chief executive backed it and "all political parties
-- acknowledged the need"; zero stars to "good" in two years); 004
-- (Stoke-on-Trent 2007, Serco-led: a new senior team recruited; staff stayed
-- council employees and resisted change; "if there hadn't been a change in
-- political culture, the new management team would have struggled");
-- 003 ch.4 second contention (commitment without leadership capacity);
-- DOMAIN rules in force (2014 regulations restrict delegation to a
-- profit-making body: management or support only).
--
-- Declared monotonicity (tests/check_models.c checks it):
--   never lowered by more political_commitment, corporate_leadership,
--     acceptance, workforce_stability, leadership_stability,
--     financial_resilience;
--   never raised by more senior_leadership, middle_leadership (the partner
--     supplies the managers the council lacks) or failure_extent;
--   governance, partnerships, self_assessment, initial_response: no effect.

local EV_BACKING = "000: chief executive backed it, all parties acknowledged the need; 004: change in political culture decisive"
local EV_GAP = "000: 16 embedded interim managers; 004: new senior team recruited; 003 ch.4 second contention"
local EV_STAFF = "004: staff stayed council employees and resisted change; 000: permanent recruitment problematic"
local EV_REG = "DOMAIN rules in force: 2014 regulations restrict delegation to a profit-making body"

local F_POLITICAL = { "ratings.political_commitment" }
local F_CORPORATE = { "ratings.corporate_leadership" }
local F_OFFICER = { "ratings.senior_leadership", "ratings.middle_leadership" }
local F_ACCEPT = { "ratings.acceptance" }
local F_EXTENT = { "ratings.failure_extent" }
local F_WORKFORCE = { "ratings.workforce_stability" }
local F_STABILITY = { "ratings.leadership_stability" }
local F_FINANCE = { "ratings.financial_resilience" }
local F_AGENCY = { "facts.agency_rate" }
local F_CHURN = { "facts.leadership_changes_3y" }
local F_GRADE = { "ofsted.grade" }
local F_PERSISTENT = { "ofsted.grade", "ofsted.previous" }
local F_ASOF = { "as_of" }

local F_CURRENT_CI = { "current_intervention" }

local function clamp(x, lo, hi)
  if x < lo then return lo elseif x > hi then return hi end
  return x
end

local function add(reasons, s, fields, pts, up, down, ev)
  if reasons and (pts >= 0.05 or pts <= -0.05) then
    reasons[#reasons + 1] = { fields = fields, points = pts,
                              text = pts > 0 and up or down, evidence = ev }
  end
  return s + pts
end

-- This model is in place now, the authority still inadequate, and the model
-- still within its expected time: changing course would throw away the
-- set-up and the momentum (003 ch.1: "hold your nerve" while data lag).
local function continuing(p, w, id)
  local ci = p.current_intervention
  return ci ~= nil and ci.model == id and p.grade == "inadequate"
    and (ci.months == nil or ci.months < w.stall_months)
end

local function persistent(p)
  if p.grade ~= "inadequate" then return false end
  local prev = p.previous
  return prev ~= nil and (prev[1] == "inadequate" or prev[2] == "inadequate")
end

local function year(p)
  return tonumber(string.sub(p.as_of, 1, 4)) or 0
end

local function backing(p, w, s, rs, officer)
  local r = p.ratings
  s = add(rs, s, F_POLITICAL, w.w_political * (r.political_commitment - 2),
    "members across parties back the partnership and will scrutinise it",
    "political commitment is weak: a contracted team 'would have struggled' without it", EV_BACKING)
  s = add(rs, s, F_CORPORATE, w.w_corporate * (r.corporate_leadership - 2),
    "the chief executive backs the partnership and can resource it",
    "the corporate centre is disengaged; the contract has no sponsor", EV_BACKING)
  s = add(rs, s, F_OFFICER, w.w_gap * (2 - officer),
    "the council lacks managers: the partner brings an experienced team",
    "the council has its own managers; a contracted team adds less", EV_GAP)
  s = add(rs, s, F_ACCEPT, w.w_acceptance * (r.acceptance - 2),
    "leaders accept the findings", "leaders dispute the findings", "003 ch.1 factor (b)")
  s = add(rs, s, F_EXTENT, -w.w_extent * (r.failure_extent - 2),
    "the failure is contained", "the failure is widespread", "003 ch.1 factor (a)")
  return s
end

local function conditions(p, w, s, rs)
  local r = p.ratings
  s = add(rs, s, F_WORKFORCE, w.w_workforce * (r.workforce_stability - 2),
    "a stable workforce will take the partner's methods",
    "an unstable or resistant workforce that stays with the council slows change", EV_STAFF)
  s = add(rs, s, F_STABILITY, w.w_stability * (r.leadership_stability - 2),
    "stable leadership alongside the partner",
    "leadership churn; the partner's embedded managers will have to hold the line",
    "000: four chief executives and four directors 1997-2005")
  s = add(rs, s, F_FINANCE, w.w_finance * (r.financial_resilience - 2),
    "the council can co-fund the contract", "the council cannot readily fund the contract",
    "000: the partnership triggered substantial investment; 003 ch.2 Enabler 7")
  local f = p.facts
  if f.agency_rate and f.agency_rate > 0.15 then
    s = add(rs, s, F_AGENCY, -w.w_agency * (f.agency_rate - 0.15) / 0.10, "",
      "a high agency rate", EV_STAFF)
  end
  if f.leadership_changes_3y then
    s = add(rs, s, F_CHURN, -w.w_churn * clamp(f.leadership_changes_3y - 2, 0, 3), "",
      "repeated changes of director", "000: stream of managers leaving")
  end
  return s
end

local function context(p, w, s, rs)
  local g = p.grade
  if g == "requires_improvement" or g == "not_inspected" then
    s = add(rs, s, F_GRADE, -w.ri_penalty, "",
      "not judged inadequate: a contracted turnaround is more than the position calls for",
      "000, 004: strategic partnerships followed failing judgements")
  end
  if persistent(p) then
    s = add(rs, s, F_PERSISTENT, -w.persistent_penalty, "",
      "persistent failure: the rules now call for a commissioner's review first",
      "DOMAIN rules in force: commissioner for persistent failure")
  end
  if year(p) >= w.regulation_year then
    s = add(rs, s, F_ASOF, -w.regulation_penalty, "",
      "since 2014 a profit-making partner can only manage or support, not take over the service",
      EV_REG)
  end
  return s
end

local function unmet_list(p, w)
  local u = {}
  local g = p.grade
  if g == "good" or g == "outstanding" then
    u[#u + 1] = "the authority is good or better: it needs no formal intervention"
  end
  local r = p.ratings
  if (r.political_commitment + r.corporate_leadership) / 2 < w.min_backing then
    u[#u + 1] = "no political or corporate backing for a contract: 'if there hadn't been a change "
      .. "in political culture, the new management team would have struggled' (004)"
  end
  local ci = p.current_intervention
  if ci and ci.model == "strategic_partnership" and g == "inadequate" and ci.months
      and ci.months >= w.stall_months then
    u[#u + 1] = "a strategic partnership has been in place past its expected time and the "
      .. "authority is still inadequate: it has stalled; escalate to a commissioner (DOMAIN rules)"
  end
  return u
end

local function details(p, w, res)
  local fair, good = imeval.journey(p)
  local setup = w.setup_months
  res.timeline = { setup_months = setup,
                   months_to_fair = fair > 0 and setup + fair or 0,
                   months_to_good = good > 0 and setup + good or 0 }
  local risks = {
    "procurement takes about six months and the lag 'caused further problems' (000)",
    "embedded managers carry a dual loyalty to the council and the contract (000)",
  }
  if p.ratings.workforce_stability < 2 then
    risks[#risks + 1] = "staff who stay council employees may resist the partner's methods (004)"
  end
  if year(p) >= w.regulation_year then
    risks[#risks + 1] = "2014 regulations: a profit-making partner is limited to management or support"
  end
  res.risks = risks
end

local function score(p, w)
  local r = p.ratings
  local quiet = p.score_only
  local rs = (not quiet) and {} or nil
  local officer = (r.senior_leadership + r.middle_leadership) / 2
  local s = w.base
  s = backing(p, w, s, rs, officer)
  s = conditions(p, w, s, rs)
  if continuing(p, w, "strategic_partnership") then
    s = add(rs, s, F_CURRENT_CI, w.continuity_bonus,
      "this model is in place and still within its expected time: hold your nerve rather than restart",
      "", "003 ch.1 poor to fair: hold your nerve while data lag practice")
  end
  s = context(p, w, s, rs)
  local res = { score = clamp(s, 0, 100), unmet_preconditions = unmet_list(p, w) }
  if quiet then return res end
  res.reasons = rs
  details(p, w, res)
  return res
end

return {
  id = "strategic_partnership",
  name = "Strategic partnership (contracted partner)",
  version = "1.0.0",
  summary = "A contracted private or voluntary partner runs the turnaround with embedded managers; "
    .. "fits weak internal leadership with political and corporate backing. Rises with political "
    .. "commitment, corporate leadership, acceptance, workforce and leadership stability, finances; "
    .. "falls with senior/middle leadership and failure_extent.",
  evidence = "000 (Plymouth 2006); 004 (Stoke-on-Trent 2007); 003 ch.4 second contention; "
    .. "DOMAIN rules in force (2014 regulations)",
  -- How a higher rating moves the score (tests/check_models.c checks it).
  directions = {
    senior_leadership = "-", middle_leadership = "-", leadership_stability = "+", political_commitment = "+",
    corporate_leadership = "+", acceptance = "+", governance = "0", partnerships = "0",
    self_assessment = "0", workforce_stability = "+", financial_resilience = "+", failure_extent = "-",
    initial_response = "0",
  },
  parameters = {
    { name = "base", default = 40, min = 0, max = 100, description = "score before any factor", base = true },
    { name = "w_political", default = 6, min = 0, max = 20,
      description = "points per rating point of political_commitment above 2", plausible = { 4.5, 7.5 } },
    { name = "w_corporate", default = 4, min = 0, max = 20,
      description = "points per rating point of corporate_leadership above 2", plausible = { 3, 5 } },
    { name = "w_gap", default = 7, min = 0, max = 15,
      description = "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2", plausible = { 5.25, 8.75 } },
    { name = "w_acceptance", default = 3, min = 0, max = 10,
      description = "points per rating point of acceptance above 2", plausible = { 2.25, 3.75 } },
    { name = "w_extent", default = 2, min = 0, max = 10,
      description = "points lost per rating point of failure_extent above 2", plausible = { 1.5, 2.5 } },
    { name = "w_workforce", default = 4, min = 0, max = 10,
      description = "points per rating point of workforce_stability above 2", plausible = { 3, 5 } },
    { name = "w_stability", default = 1, min = 0, max = 10,
      description = "points per rating point of leadership_stability above 2", plausible = { 0.75, 1.25 } },
    { name = "w_finance", default = 3, min = 0, max = 10,
      description = "points per rating point of financial_resilience above 2", plausible = { 2.25, 3.75 } },
    { name = "w_agency", default = 2, min = 0, max = 10,
      description = "points lost per 10 percentage points of agency_rate above 15%", plausible = { 1.5, 2.5 } },
    { name = "w_churn", default = 1, min = 0, max = 5,
      description = "points lost per leadership change beyond two in three years (up to three)", plausible = { 0.75, 1.25 } },
    { name = "ri_penalty", default = 10, min = 0, max = 30,
      description = "points lost when the authority is not judged inadequate", plausible = { 7.5, 12.5 } },
    { name = "persistent_penalty", default = 5, min = 0, max = 30,
      description = "points lost for persistent failure (the rules now call for a commissioner)", plausible = { 3.75, 6.25 } },
    { name = "regulation_year", default = 2014, min = 2000, max = 2100,
      description = "year from which delegation to a profit-making body is restricted", fixed = true },
    { name = "regulation_penalty", default = 10, min = 0, max = 30,
      description = "points lost from that year", plausible = { 7.5, 12.5 } },
    { name = "min_backing", default = 1, min = 0, max = 4,
      description = "mean of political commitment and corporate leadership below which a contract has no backing", plausible = { 0.75, 1.25 } },
    { name = "stall_months", default = 30, min = 6, max = 72,
      description = "months under a strategic partnership, still inadequate, after which it has stalled", plausible = { 22.5, 37.5 } },
    { name = "setup_months", default = 6, min = 0, max = 18,
      description = "months to procure the partner and sign the contract (000: six months)", plausible = { 4.5, 7.5 } },
    { name = "continuity_bonus", default = 5, min = 0, max = 20,
      description = "points when this model is already in place, the authority inadequate, and within its expected time", plausible = { 3.75, 6.25 } },
  },
  score = score,
}
