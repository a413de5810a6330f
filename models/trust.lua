-- trust.lua - children's services removed from the council to an
-- independent non-profit trust under a statutory direction.
--
-- Evidence: 003 ch.4 "Formal improvement support and intervention" (third
-- contention: "the creation of an independent trust could be considered in
-- instances in which there is not the leadership commitment to and capacity
-- for driving change at service, corporate and political level");
-- 003 ch.3 formal support (d); 003 case study 3 (Doncaster: "constant cycle
-- of improvement and regression", trust from 2014, still inadequate 2015 but
-- improving); 002 (Ray Jones: a trust for a small authority means "the delay,
-- disruption and distraction for 18 months" and "will still be too small and
-- unsustainable and more costly"); DOMAIN what happened (14-24 months to go
-- live, GBP 2.5m-3.3m set-up, heavy overspends, imposed trusts rare after 2017).
--
-- Declared monotonicity (tests/check_models.c checks it):
--   never raised by more senior_leadership, middle_leadership,
--     political_commitment, corporate_leadership, acceptance;
--   never lowered by more failure_extent;
--   never lowered by more workforce_stability, leadership_stability,
--     financial_resilience;
--   governance, partnerships, self_assessment, initial_response: no effect.

local EV_CONTENTION = "003 ch.4 Formal improvement support: trust where no commitment and capacity at service, corporate and political level"
local EV_SMALL = "002: a trust for a small authority is 18 months of delay, disruption and distraction, too small and more costly"
local EV_RULES = "DOMAIN rules in force: escalation notice -> direction -> commissioner -> removal"
local EV_COST = "DOMAIN what happened: trust set-up GBP 2.5m-3.3m, heavy overspends; 003 ch.2 Enabler 7"

local F_OFFICER = { "ratings.senior_leadership", "ratings.middle_leadership" }
local F_MEMBER = { "ratings.political_commitment", "ratings.corporate_leadership" }
local F_ACCEPT = { "ratings.acceptance" }
local F_EXTENT = { "ratings.failure_extent" }
local F_WORKFORCE = { "ratings.workforce_stability" }
local F_STABILITY = { "ratings.leadership_stability" }
local F_FINANCE = { "ratings.financial_resilience" }
local F_AGENCY = { "facts.agency_rate" }
local F_CHURN = { "facts.leadership_changes_3y" }
local F_PERSISTENT = { "ofsted.grade", "ofsted.previous" }
local F_SIZE = { "size.child_population" }
local F_CURRENT = { "current_intervention" }
local F_ASOF = { "as_of" }

-- Months each model is expected to take to lift an authority out of
-- "inadequate" before it counts as stalled (same table as commissioner.c:
-- DOMAIN what happened; 003 ch.1; 000).
local EXPECTED = {
  self_improvement = 12, peer_support = 24, improvement_board = 24,
  executive_partnership = 24, strategic_partnership = 30, commissioner = 18,
}

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

local function child_population(p)
  return p.size and p.size.child_population
end

local function no_commitment(p, w, s, rs, officer, member)
  local r = p.ratings
  s = add(rs, s, F_MEMBER, w.w_commitment * (2 - member),
    "political and corporate leaders lack the commitment or capacity to drive change",
    "members and the corporate centre can drive change; removal is not warranted", EV_CONTENTION)
  s = add(rs, s, F_OFFICER, w.w_capacity * (2 - officer),
    "service leadership lacks the capacity to drive change",
    "service leaders have capacity to drive change", EV_CONTENTION)
  s = add(rs, s, F_ACCEPT, w.w_acceptance * (2 - r.acceptance),
    "leaders dispute or have not accepted the findings",
    "leaders accept the findings", "003 ch.1 factor (b); DOMAIN what happened")
  s = add(rs, s, F_EXTENT, w.w_extent * (r.failure_extent - 2),
    "the failure is widespread", "the failure is contained",
    "003 ch.1 factor (a); DOMAIN: trusts went to the worst cases")
  return s
end

local function conditions(p, w, s, rs)
  local r = p.ratings
  s = add(rs, s, F_WORKFORCE, w.w_workforce * (r.workforce_stability - 2),
    "a stable workforce can transfer to the trust",
    "an unstable workforce, and a transfer to a new employer adds disruption", EV_SMALL)
  s = add(rs, s, F_STABILITY, w.w_stability * (r.leadership_stability - 2),
    "stable leadership through the transition", "leadership churn through the transition",
    "003 ch.2 Enabler 2")
  s = add(rs, s, F_FINANCE, w.w_finance * (r.financial_resilience - 2),
    "the council can fund the trust's contract and set-up",
    "the council cannot readily fund a trust: set-up and overspends are costly", EV_COST)
  local f = p.facts
  if f.agency_rate and f.agency_rate > 0.15 then
    s = add(rs, s, F_AGENCY, -w.w_agency * (f.agency_rate - 0.15) / 0.10, "",
      "a high agency rate (Doncaster's trust had to bring it from 18% to 9%)",
      "003 case study 3")
  end
  if f.leadership_changes_3y then
    s = add(rs, s, F_CHURN, -w.w_churn * clamp(f.leadership_changes_3y - 2, 0, 3), "",
      "repeated changes of director", "003 ch.3: a series of short-term interim leaders")
  end
  return s
end

-- The escalation ladder: a stalled intervention, or a commissioner who has
-- reviewed, moves removal closer.
local function escalation(p, w, s, rs)
  local ci = p.current_intervention
  if not ci or not ci.months or p.grade ~= "inadequate" then return s end
  local due = EXPECTED[ci.model]
  if due and ci.months >= due then
    s = add(rs, s, F_CURRENT, w.escalation_bonus,
      "the current intervention has run past its expected time and the authority is still "
        .. "inadequate: the next step on the ladder is closer", "", EV_RULES)
  end
  if ci.model == "commissioner" and ci.months >= w.review_months then
    s = add(rs, s, F_CURRENT, w.after_review_bonus,
      "a commissioner has reviewed the council: removal to a trust is one of its options", "",
      "DOMAIN rules in force: a trust is one possible outcome of a commissioner's review")
  end
  return s
end

local function context(p, w, s, rs)
  if persistent(p) then
    s = add(rs, s, F_PERSISTENT, w.persistent_bonus,
      "persistent failure: a constant cycle of improvement and regression", "",
      "003 case study 3 (Doncaster); DOMAIN rules in force")
  end
  local cp = child_population(p)
  if cp and cp < w.small_authority_children then
    s = add(rs, s, F_SIZE, -w.small_penalty, "",
      "a small authority: a trust would be too small, unsustainable and more costly", EV_SMALL)
  end
  if year(p) >= w.sector_led_year then
    s = add(rs, s, F_ASOF, -w.sector_led_penalty, "",
      "since 2017 the emphasis is on sector-led support and imposed trusts are rare",
      "DOMAIN rules in force: from 2017 sector-led support; since 2023 a trust is one possible outcome")
  end
  return s
end

local function unmet_list(p, w)
  local u = {}
  if p.grade ~= "inadequate" then
    u[#u + 1] = "the authority is not judged inadequate: removal to a trust needs a statutory "
      .. "direction after an inadequate judgement (DOMAIN rules in force)"
  end
  local ci = p.current_intervention
  if ci and ci.model == "trust" and p.grade == "inadequate" and ci.months
      and ci.months >= w.stall_months then
    u[#u + 1] = "a trust has been in place past its expected time and services are still "
      .. "inadequate: it has stalled; a commissioner should review the trust (DOMAIN: three "
      .. "trusts returned in-house, one restructured)"
  end
  return u
end

local function details(p, w, res)
  local fair, good = imeval.journey(p)
  local cp = child_population(p)
  local setup = w.setup_months
  res.timeline = { setup_months = setup,
                   months_to_fair = fair > 0 and setup + fair or 0,
                   months_to_good = good > 0 and setup + good or 0 }
  local risks = {
    "set-up takes 14-24 months and about GBP 2.5m-3.3m; several trusts overspent heavily "
      .. "(DOMAIN what happened)",
    "services stay inadequate during set-up; Doncaster's trust was still inadequate a year "
      .. "after going live (003 case study 3)",
  }
  if cp and cp < w.small_authority_children then
    risks[#risks + 1] = "small authority: '18 months of delay, disruption and distraction' "
      .. "and a trust 'too small and unsustainable' (002)"
  end
  res.risks = risks
end

local function score(p, w)
  local r = p.ratings
  local quiet = p.score_only
  local rs = (not quiet) and {} or nil
  local officer = (r.senior_leadership + r.middle_leadership) / 2
  local member = (r.political_commitment + r.corporate_leadership) / 2
  local s = w.base
  s = no_commitment(p, w, s, rs, officer, member)
  s = conditions(p, w, s, rs)
  if continuing(p, w, "trust") then
    s = add(rs, s, F_CURRENT_CI, w.continuity_bonus,
      "this model is in place and still within its expected time: hold your nerve rather than restart",
      "", "003 ch.1 poor to fair: hold your nerve while data lag practice")
  end
  s = escalation(p, w, s, rs)
  s = context(p, w, s, rs)
  local res = { score = clamp(s, 0, 100), unmet_preconditions = unmet_list(p, w) }
  if quiet then return res end
  res.reasons = rs
  details(p, w, res)
  return res
end

return {
  id = "trust",
  name = "Independent trust",
  version = "1.0.0",
  summary = "Services removed to an independent non-profit trust; fits the absence of commitment and "
    .. "capacity at service, corporate and political level, persistent failure and stalled "
    .. "interventions. Rises with failure_extent, workforce and leadership stability, finances; "
    .. "falls with senior/middle leadership, political commitment, corporate leadership, acceptance.",
  evidence = "003 ch.4 third contention; 003 ch.3 formal support (d); 003 case study 3 (Doncaster); "
    .. "002 (small-authority warning); DOMAIN rules in force and what happened",
  -- How a higher rating moves the score (tests/check_models.c checks it).
  directions = {
    senior_leadership = "-", middle_leadership = "-", leadership_stability = "+", political_commitment = "-",
    corporate_leadership = "-", acceptance = "-", governance = "0", partnerships = "0",
    self_assessment = "0", workforce_stability = "+", financial_resilience = "+", failure_extent = "+",
    initial_response = "0",
  },
  parameters = {
    { name = "base", default = 28, min = 0, max = 100, description = "score before any factor", base = true },
    { name = "w_commitment", default = 9, min = 0, max = 25,
      description = "points per rating point by which member capacity (mean political commitment and corporate leadership) falls below 2", plausible = { 6.75, 11.25 } },
    { name = "w_capacity", default = 5, min = 0, max = 15,
      description = "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2", plausible = { 3.75, 6.25 } },
    { name = "w_acceptance", default = 3, min = 0, max = 10,
      description = "points per rating point by which acceptance falls below 2", plausible = { 2.25, 3.75 } },
    { name = "w_extent", default = 4, min = 0, max = 15,
      description = "points per rating point of failure_extent above 2", plausible = { 3, 5 } },
    { name = "w_workforce", default = 2, min = 0, max = 10,
      description = "points per rating point of workforce_stability above 2", plausible = { 1.5, 2.5 } },
    { name = "w_stability", default = 1, min = 0, max = 10,
      description = "points per rating point of leadership_stability above 2", plausible = { 0.75, 1.25 } },
    { name = "w_finance", default = 4, min = 0, max = 10,
      description = "points per rating point of financial_resilience above 2", plausible = { 3, 5 } },
    { name = "w_agency", default = 2, min = 0, max = 10,
      description = "points lost per 10 percentage points of agency_rate above 15%", plausible = { 1.5, 2.5 } },
    { name = "w_churn", default = 1, min = 0, max = 5,
      description = "points lost per leadership change beyond two in three years (up to three)", plausible = { 0.75, 1.25 } },
    { name = "persistent_bonus", default = 12, min = 0, max = 30,
      description = "points for persistent failure (inadequate now and at one of the two previous inspections)", plausible = { 9, 15 } },
    { name = "escalation_bonus", default = 10, min = 0, max = 30,
      description = "points when the current intervention has stalled", plausible = { 7.5, 12.5 } },
    { name = "after_review_bonus", default = 6, min = 0, max = 20,
      description = "points when a commissioner in place has had time to review", plausible = { 4.5, 7.5 } },
    { name = "review_months", default = 4, min = 1, max = 12,
      description = "months after which a commissioner in place has reviewed (DOMAIN: 2-4)", plausible = { 3, 5 } },
    { name = "small_authority_children", default = 40000, min = 0, max = 200000,
      description = "child population below which the small-authority warning applies", plausible = { 35000, 45000 } },
    { name = "small_penalty", default = 20, min = 0, max = 40,
      description = "points lost for a small authority", plausible = { 15, 25 } },
    { name = "sector_led_year", default = 2017, min = 2000, max = 2100,
      description = "year from which imposed trusts became rare", fixed = true },
    { name = "sector_led_penalty", default = 5, min = 0, max = 20,
      description = "points lost from that year", plausible = { 3.75, 6.25 } },
    { name = "stall_months", default = 48, min = 12, max = 96,
      description = "months under a trust, still inadequate, after which it has stalled", plausible = { 36, 60 } },
    { name = "setup_months", default = 18, min = 6, max = 36,
      description = "months from decision to the trust going live (DOMAIN: 14-24; 002: 18)", plausible = { 13.5, 22.5 } },
    { name = "continuity_bonus", default = 5, min = 0, max = 20,
      description = "points when this model is already in place, the authority inadequate, and within its expected time", plausible = { 3.75, 6.25 } },
  },
  score = score,
}
