-- peer_support.lua - support from highly experienced leaders of a strong
-- council (partners in practice, sector-led improvement partners): regular
-- challenge and in-depth advice, while the council keeps its own leadership.
--
-- Evidence: 003 ch.4 "Formal improvement support and intervention" (first
-- contention: "peer support and oversight from an improvement board" where
-- the service "has both the officer and elected member capacity");
-- 003 ch.3 formal support (b) ("capacity to advise on issues in greater depth
-- than an independent chair"), the divided opinion on shared leadership vs
-- peer support, and the limited spare capacity of strong councils;
-- 003 ch.4 (partners in practice should support the fair-to-good stage);
-- 001 (Plymouth 2022+: improvement partner Dorset Council; RI in 2024).
--
-- Declared monotonicity (tests/check_models.c checks it):
--   never lowered by more senior_leadership, middle_leadership,
--     political_commitment, corporate_leadership, acceptance,
--     self_assessment, workforce_stability, leadership_stability,
--     financial_resilience;
--   never raised by more failure_extent;
--   governance, partnerships, initial_response: no effect on the score.

local EV_CONTENTION = "003 ch.4 Formal improvement support: peer support where officer and elected member capacity"
local EV_ADVICE = "003 ch.3 formal support (b): peer support advises in depth, it does not supply leaders"
local EV_WORKFORCE = "003 ch.2 Enabler 3: workforce turbulence after an inadequate judgement"
local EV_STABILITY = "003 ch.2 Enabler 2: stable leadership; 001: progress too slow due to senior leader instability"

local F_OFFICER = { "ratings.senior_leadership", "ratings.middle_leadership" }
local F_MEMBER = { "ratings.political_commitment", "ratings.corporate_leadership" }
local F_ACCEPT = { "ratings.acceptance" }
local F_SELF = { "ratings.self_assessment" }
local F_EXTENT = { "ratings.failure_extent" }
local F_WORKFORCE = { "ratings.workforce_stability" }
local F_STABILITY = { "ratings.leadership_stability" }
local F_FINANCE = { "ratings.financial_resilience" }
local F_AGENCY = { "facts.agency_rate" }
local F_CHURN = { "facts.leadership_changes_3y" }
local F_GRADE = { "ofsted.grade" }
local F_PERSISTENT = { "ofsted.grade", "ofsted.previous" }

local F_CURRENT_CI = { "current_intervention" }

local function clamp(x, lo, hi)
  if x < lo then return lo elseif x > hi then return hi end
  return x
end

-- Adds one reason when reasons are wanted; returns the new score.
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

local function conditions(p, w, s, rs)
  local r = p.ratings
  s = add(rs, s, F_WORKFORCE, w.w_workforce * (r.workforce_stability - 2),
    "a stable workforce can act on the peer's advice",
    "workforce turbulence: advice has nobody stable to land on", EV_WORKFORCE)
  s = add(rs, s, F_STABILITY, w.w_stability * (r.leadership_stability - 2),
    "stable leaders to work alongside the peer",
    "leadership churn undermines an advice-only model", EV_STABILITY)
  s = add(rs, s, F_FINANCE, w.w_finance * (r.financial_resilience - 2),
    "the council can fund what the peer recommends",
    "weak finances limit what the council can act on", "003 ch.2 Enabler 7")
  local f = p.facts
  local agency = f.agency_rate
  if agency and agency > 0.15 then
    s = add(rs, s, F_AGENCY, -w.w_agency * (agency - 0.15) / 0.10, "",
      "a high agency rate", EV_WORKFORCE)
  end
  local changes = f.leadership_changes_3y
  if changes then
    s = add(rs, s, F_CHURN, -w.w_churn * clamp(changes - 2, 0, 3), "",
      "repeated changes of director", "003 ch.3: a series of short-term interim leaders destabilises a service")
  end
  return s
end

local function capacity(p, w, s, rs, officer, member)
  local r = p.ratings
  s = add(rs, s, F_OFFICER, w.w_officer * (officer - 2),
    "officers have the capacity to act on expert challenge and advice",
    "officer capacity is thin: peer advice needs leaders to carry it out", EV_CONTENTION)
  s = add(rs, s, F_MEMBER, w.w_member * (member - 2),
    "members and the corporate centre can sustain improvement",
    "members and the corporate centre are not yet able to sustain improvement", EV_CONTENTION)
  s = add(rs, s, F_ACCEPT, w.w_acceptance * (r.acceptance - 2),
    "leaders accept the findings and are open to challenge",
    "leaders are defensive; peer challenge works only with an open reviewee",
    "003 ch.3 peer review: the reviewee's approach is critical")
  s = add(rs, s, F_SELF, w.w_self_assessment * (r.self_assessment - 2),
    "an accurate self-assessment for the peer to test",
    "a weak self-assessment for the peer to start from",
    "003 ch.3 peer review: used to test the accuracy of self-assessment")
  s = add(rs, s, F_EXTENT, -w.w_extent * (r.failure_extent - 2),
    "the weaknesses are contained", "the failure is widespread for an advice-only model",
    "003 ch.1 factor (a)")
  return s
end

local function grade_term(p, w, s, rs)
  local g = p.grade
  if g == "requires_improvement" then
    return add(rs, s, F_GRADE, w.ri_bonus,
      "fair-to-good stage: where the report wants partners in practice to focus", "",
      "003 ch.4: partners in practice should support councils from fair to good")
  elseif g == "good" or g == "outstanding" then
    return add(rs, s, F_GRADE, -w.good_penalty, "",
      "already good: the council's own plan with voluntary peer review is enough",
      "DOMAIN: a good or outstanding authority does not need formal intervention")
  end
  return s
end

local function unmet_list(p, w, officer)
  local u = {}
  if officer < w.min_officer_capacity then
    u[#u + 1] = "officer capacity is too low: peer support advises, it does not supply "
      .. "leaders; consider an executive partnership (003 ch.3 (b); 003 ch.4 second contention)"
  end
  local ci = p.current_intervention
  if ci and ci.model == "peer_support" and p.grade == "inadequate" and ci.months
      and ci.months >= w.stall_months then
    u[#u + 1] = "peer support has been in place past its expected time and the authority is "
      .. "still inadequate: it has stalled; escalate to an improvement board or a commissioner "
      .. "(DOMAIN rules in force)"
  end
  return u
end

local function score(p, w)
  local r = p.ratings
  local quiet = p.score_only
  local rs = (not quiet) and {} or nil
  local officer = (r.senior_leadership + r.middle_leadership) / 2
  local member = (r.political_commitment + r.corporate_leadership) / 2
  local s = w.base
  s = grade_term(p, w, s, rs)
  s = capacity(p, w, s, rs, officer, member)
  s = conditions(p, w, s, rs)
  if continuing(p, w, "peer_support") then
    s = add(rs, s, F_CURRENT_CI, w.continuity_bonus,
      "this model is in place and still within its expected time: hold your nerve rather than restart",
      "", "003 ch.1 poor to fair: hold your nerve while data lag practice")
  end
  if persistent(p) then
    s = add(rs, s, F_PERSISTENT, -w.persistent_penalty, "",
      "persistent failure: the rules point to a commissioner rather than advice",
      "DOMAIN rules in force: commissioner for persistent failure")
  end
  local res = { score = clamp(s, 0, 100), unmet_preconditions = unmet_list(p, w, officer) }
  if quiet then return res end
  res.reasons = rs
  local fair, good = imeval.journey(p)
  local setup = w.setup_months
  res.timeline = { setup_months = setup,
                   months_to_fair = fair > 0 and setup + fair or 0,
                   months_to_good = good > 0 and setup + good or 0 }
  res.risks = {
    "strong councils have little spare capacity to lend; partners in practice are few "
      .. "(003 ch.3: risk of over-burdening system leaders)",
  }
  if p.grade == "inadequate" and r.failure_extent >= 3 then
    res.risks[#res.risks + 1] = "advice alone may not reach a widespread failure; "
      .. "keep a board or escalation in reserve (003 ch.3: opinion divided)"
  end
  return res
end

return {
  id = "peer_support",
  name = "Peer support (partner in practice)",
  version = "1.0.0",
  summary = "Experienced leaders of a strong council challenge and advise while the council keeps "
    .. "control; fits officer and member capacity, best from fair to good. Rises with senior/middle "
    .. "leadership, political commitment, corporate leadership, acceptance, self_assessment, "
    .. "workforce and leadership stability, finances; falls with failure_extent.",
  evidence = "003 ch.4 first contention; 003 ch.3 formal support (b) and system leadership capacity; "
    .. "001 (Plymouth improvement partner)",
  -- How a higher rating moves the score (tests/check_models.c checks it).
  directions = {
    senior_leadership = "+", middle_leadership = "+", leadership_stability = "+", political_commitment = "+",
    corporate_leadership = "+", acceptance = "+", governance = "0", partnerships = "0",
    self_assessment = "+", workforce_stability = "+", financial_resilience = "+", failure_extent = "-",
    initial_response = "0",
  },
  parameters = {
    { name = "base", default = 45, min = 0, max = 100, description = "score before any factor", base = true },
    { name = "w_officer", default = 6, min = 0, max = 20,
      description = "points per rating point of officer capacity (mean senior and middle leadership) above 2", plausible = { 4.5, 7.5 } },
    { name = "w_member", default = 3, min = 0, max = 20,
      description = "points per rating point of member capacity (mean political commitment and corporate leadership) above 2", plausible = { 2.25, 3.75 } },
    { name = "w_acceptance", default = 3, min = 0, max = 10,
      description = "points per rating point of acceptance above 2", plausible = { 2.25, 3.75 } },
    { name = "w_self_assessment", default = 3, min = 0, max = 10,
      description = "points per rating point of self_assessment above 2", plausible = { 2.25, 3.75 } },
    { name = "w_extent", default = 5, min = 0, max = 15,
      description = "points lost per rating point of failure_extent above 2", plausible = { 3.75, 6.25 } },
    { name = "w_workforce", default = 3, min = 0, max = 10,
      description = "points per rating point of workforce_stability above 2", plausible = { 2.25, 3.75 } },
    { name = "w_stability", default = 4, min = 0, max = 10,
      description = "points per rating point of leadership_stability above 2", plausible = { 3, 5 } },
    { name = "w_finance", default = 2, min = 0, max = 10,
      description = "points per rating point of financial_resilience above 2", plausible = { 1.5, 2.5 } },
    { name = "w_agency", default = 3, min = 0, max = 10,
      description = "points lost per 10 percentage points of agency_rate above 15%", plausible = { 2.25, 3.75 } },
    { name = "w_churn", default = 2, min = 0, max = 5,
      description = "points lost per leadership change beyond two in three years (up to three)", plausible = { 1.5, 2.5 } },
    { name = "persistent_penalty", default = 12, min = 0, max = 30,
      description = "points lost for persistent failure (inadequate now and at one of the two previous inspections)", plausible = { 9, 15 } },
    { name = "ri_bonus", default = 8, min = 0, max = 30,
      description = "points when the authority requires improvement (fair to good stage)", plausible = { 6, 10 } },
    { name = "good_penalty", default = 12, min = 0, max = 40,
      description = "points lost when the authority is already good or outstanding", plausible = { 9, 15 } },
    { name = "min_officer_capacity", default = 1.5, min = 0, max = 4,
      description = "officer capacity below which advice has nobody to act on it", plausible = { 1.25, 1.75 } },
    { name = "stall_months", default = 24, min = 6, max = 72,
      description = "months under peer support, still inadequate, after which it has stalled", plausible = { 18, 30 } },
    { name = "setup_months", default = 2, min = 0, max = 12,
      description = "months to broker the partner and agree the support", plausible = { 1.5, 2.5 } },
    { name = "continuity_bonus", default = 5, min = 0, max = 20,
      description = "points when this model is already in place, the authority inadequate, and within its expected time", plausible = { 3.75, 6.25 } },
  },
  score = score,
}
