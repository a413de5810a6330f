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
-- Its weight matches its evidence: two cases, both cities of about 50,000
-- children in 2006-2007, before the 2014 restriction; it gains less from
-- the officer gap than the executive partnership (the gap is what the
-- contracted managers fill, but the seeds show it working only with
-- political change and corporate backing), and from 2014 it is limited to
-- management or support.  A partnership in place is scored by its
-- trajectory (p.rules, decided by the engine), with no set-up lag.
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
-- The workforce rates, in the order that settles a tie (made once, not every draw).
local F_GRADE = { "ofsted.grade" }
local F_PERSISTENT = { "ofsted.grade", "ofsted.previous", "as_of" }
local F_ASOF = { "as_of" }

local F_CURRENT_CI = { "current_intervention" }
local F_SYSTEMIC = { "ofsted.judgements", "as_of" }
local F_FRONT = { "facts.unallocated_cases", "size.child_population" }
local F_SIZE = { "size.child_population" }
-- The field of each rate imeval.worst_rate can name, made once: a list made
-- in each call was most of what the LuaJIT workers allocated per draw.
local F_RATE = { agency_rate = { "facts.agency_rate" }, vacancy_rate = { "facts.vacancy_rate" },
  turnover_rate = { "facts.turnover_rate" } }
local EV_CONTINUING = "003 ch.1 pitfalls: false starts; DOMAIN rules in force: escalate when still inadequate under an intervention"

local clamp = imeval.clamp
local add = imeval.term

local function backing(p, w, s, rs, officer)
  local r = p.ratings
  s = add(rs, s, F_POLITICAL, w.w_political * (r.political_commitment - 2),
    "members across parties back the partnership and will scrutinise it",
    "political commitment is weak: a contracted team 'would have struggled' without it", EV_BACKING)
  s = add(rs, s, F_CORPORATE, w.w_corporate * (r.corporate_leadership - 2),
    "the chief executive backs the partnership and can resource it",
    r.corporate_leadership < 1 and "the corporate centre is disengaged; the contract has no sponsor"
      or "the corporate centre's backing is only partial; the contract needs a sponsor", EV_BACKING)
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
  -- the worst of the agency, vacancy and turnover rates above 15% (no loop
  -- of its own: under LuaJIT a loop here kept this function interpreted)
  local worst, field = imeval.worst_rate(p, 0.15)
  if field then
    -- (rs is nil in score-only calls, which read no text: none is made)
    s = add(rs, s, F_RATE[field], -w.w_agency * (worst - 0.15) / 0.10, "",
      rs and string.format("the %s is %.0f%%: the contracted managers lead a workforce that keeps changing",
        string.gsub(field, "_", " "), 100 * worst) or "", EV_STAFF)
  end
  if f.leadership_changes_3y then
    s = add(rs, s, F_CHURN, -w.w_churn * clamp(f.leadership_changes_3y - 2, 0, 3), "",
      "repeated changes of director", "000: stream of managers leaving")
  end
  return s
end

local function context(p, w, s, rs, ru)
  local g = p.grade
  if g == "requires_improvement" or g == "not_inspected" then
    s = add(rs, s, F_GRADE, -w.ri_penalty, "",
      "not judged inadequate: a contracted turnaround is more than the position calls for",
      "000, 004: strategic partnerships followed failing judgements")
  end
  local reviewed = p.current_intervention ~= nil and p.current_intervention.model == "commissioner"
  if ru.persistent ~= 0 and not reviewed then
    s = add(rs, s, F_PERSISTENT, -w.persistent_penalty * ru.commissioner_weight * (ru.persistent == 1 and 1 or 0.5), "",
      not rs and ""
        or ru.persistent == 1 and string.format("persistent failure: inadequate in %d and again in %d, within "
        .. "five years; the rules call for a commissioner's review first (%s)", ru.persistent_earlier_year,
        ru.persistent_year, ru.regime)
        or "an earlier inadequate judgement is undated: persistent failure if it fell within five years, "
          .. "so counted at half weight (" .. ru.regime .. ")",
      "DOMAIN rules in force: commissioner for persistent failure")
  end
  if ru.systemic == 1 and not reviewed then
    s = add(rs, s, F_SYSTEMIC, -w.systemic_penalty * ru.commissioner_weight, "",
      rs and string.format("systemic failure: inadequate on all %d key judgements given; the rules call for a "
        .. "commissioner's review first (%s)", ru.n_key, ru.regime) or "", "DOMAIN rules in force")
  end
  local ci = p.current_intervention
  if ci and ci.model ~= "strategic_partnership" and ci.model ~= "commissioner" and ru.trajectory == "on_track" then
    s = add(rs, s, F_CURRENT_CI, -w.switching_penalty, "",
      rs and string.format("the %s in place is on track (%s): replacing it would restart the set-up and the journey",
        ci.model, ru.why) or "", EV_CONTINUING)
  end
  local f = p.facts
  local cp = p.size and p.size.child_population
  if f.unallocated_cases and cp and cp > 0 then
    local u = clamp(f.unallocated_cases / (cp / 1000) / 2, 0, 1)
    s = add(rs, s, F_FRONT, -w.w_front_door * u, "",
      rs and string.format("%.0f unallocated cases: the front door needs grip now, not after six months of procurement",
        f.unallocated_cases) or "",
      "003 ch.2 Enabler 5: a secure front end first; 000: the six-month lag caused further problems")
  end
  if cp and cp > w.evidence_children then
    s = add(rs, s, F_SIZE, -w.scale_penalty * clamp((cp - w.evidence_children) / w.evidence_children, 0, 1), "",
      rs and string.format("a council of %.0f children, beyond the two cities of about 50,000 the model's evidence comes from", cp)
        or "",
      "000 (Plymouth), 004 (Stoke-on-Trent): the only cases")
  end
  if p.rules_in_force.profit_restriction then
    s = add(rs, s, F_ASOF, -w.regulation_penalty, "",
      "since 2014 a profit-making partner can only manage or support, not take over the service: the "
        .. "model of 2006-2007 is no longer available in full",
      EV_REG)
  end
  return s
end

-- u with text added.  Most draws have no unmet precondition and most of
-- the others one, which the engine takes as a text alone: a list is made
-- only at the second (in bulk draws the lists were most of what this model
-- allocated), and made with both items (an empty table then given one made
-- LuaJIT rehash it).
local function unmet_add(u, text)
  if not u then return text end
  if type(u) == "string" then return { u, text } end
  u[#u + 1] = text
  return u
end

local function unmet_list(p, w, ru)
  local u
  local g = p.grade
  if g == "good" or g == "outstanding" then
    u = unmet_add(u, "the authority is good or better: it needs no formal intervention")
  end
  local r = p.ratings
  if (r.political_commitment + r.corporate_leadership) / 2 < w.min_backing then
    u = unmet_add(u, "no political or corporate backing for a contract: 'if there hadn't been a change "
      .. "in political culture, the new management team would have struggled' (004)")
  end
  local ci = p.current_intervention
  if ci and ci.model == "strategic_partnership" and (ru.trajectory == "stalling" or ru.trajectory == "deteriorating") then
    u = unmet_add(u, string.format("the strategic partnership in place has %s (%s) and the authority is still "
      .. "inadequate: escalate to a commissioner (DOMAIN rules)",
      ru.trajectory == "stalling" and "stalled" or "deteriorated", ru.why))
  end
  return u
end

local function details(p, w, res, ru, in_place, brief)
  res.timeline = imeval.timeline(p, w.setup_months, in_place)
  if brief then return end
  local risks = {
    "procurement takes about six months and the lag 'caused further problems' (000)",
    "embedded managers carry a dual loyalty to the council and the contract (000)",
  }
  if p.ratings.workforce_stability < 2 then
    risks[#risks + 1] = "staff who stay council employees may resist the partner's methods (004)"
  end
  if p.rules_in_force.profit_restriction then
    risks[#risks + 1] = "2014 regulations: a profit-making partner is limited to management or support"
  end
  res.risks = risks
end

local function score(p, w)
  local r = p.ratings
  local quiet = p.score_only
  -- A brief call (a CSV, which shows none) makes no reason or risk either.
  local brief = quiet or p.brief
  local rs = (not brief) and {} or nil
  local officer = (r.senior_leadership + r.middle_leadership) / 2
  local ru = p.rules
  local ci = p.current_intervention
  local in_place = ci ~= nil and ci.model == "strategic_partnership"
  local s = imeval.base(rs, w.base, "the base score of a contracted strategic partnership, before any factor "
    .. "(low: two cases, both of 2006-2007)", "declared parameter base (docs/models.md); 000, 004")
  if in_place then
    if ru.trajectory == "on_track" or ru.trajectory == "unknown" then
      s = add(rs, s, F_CURRENT_CI, w.continuing_bonus,
        rs and "the partnership is in place and on track (" .. ru.why .. "): scored as continuing, by whether "
          .. "it is working, not as a new choice" or "", "", EV_CONTINUING)
    end
  else
    s = backing(p, w, s, rs, officer)
    s = context(p, w, s, rs, ru)
  end
  s = conditions(p, w, s, rs)
  -- A score-only draw (bulk draws read nothing else) returns the score and its
  -- unmet preconditions as two values: no result table to make every draw.
  if quiet then return clamp(s, 0, 100), unmet_list(p, w, ru) end
  local res = { score = clamp(s, 0, 100), unmet_preconditions = unmet_list(p, w, ru) }
  res.reasons = rs
  details(p, w, res, ru, in_place, brief)
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
    { name = "base", default = 35, min = 0, max = 100, description = "score before any factor (below the board's 50 and the executive partnership's 45: two cases, both before 2014)", base = true },
    { name = "w_political", default = 6, min = 0, max = 20,
      description = "points per rating point of political_commitment above 2", plausible = { 4.5, 7.5 } },
    { name = "w_corporate", default = 4, min = 0, max = 20,
      description = "points per rating point of corporate_leadership above 2", plausible = { 3, 5 } },
    { name = "w_gap", default = 4, min = 0, max = 15,
      description = "points per rating point by which officer capacity (mean senior and middle leadership) falls below 2 (the contracted managers fill it, but the seeds show it working only with political backing)", plausible = { 3, 5 } },
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
      description = "points lost per 10 percentage points of the worst of agency, vacancy and turnover rates above 15%", plausible = { 1.5, 2.5 } },
    { name = "w_churn", default = 1, min = 0, max = 5,
      description = "points lost per leadership change beyond two in three years (up to three)", plausible = { 0.75, 1.25 } },
    { name = "ri_penalty", default = 10, min = 0, max = 30,
      description = "points lost when the authority is not judged inadequate", plausible = { 7.5, 12.5 } },
    { name = "persistent_penalty", default = 5, min = 0, max = 30,
      description = "points lost for persistent failure (inadequate twice within five years), weighted by the rules of the date", plausible = { 3.75, 6.25 } },
    { name = "regulation_penalty", default = 20, min = 0, max = 30,
      description = "points lost from that year (a profit-making partner limited to management or support)", plausible = { 15, 25 } },
    { name = "min_backing", default = 1, min = 0, max = 4,
      description = "mean of political commitment and corporate leadership below which a contract has no backing", plausible = { 0.75, 1.25 } },
    { name = "stall_months", default = 30, min = 6, max = 72,
      description = "months under a strategic partnership, still inadequate, after which it has stalled", plausible = { 22.5, 37.5 } },
    { name = "setup_months", default = 6, min = 0, max = 18,
      description = "months to procure the partner and sign the contract (000: six months)", plausible = { 4.5, 7.5 } },
    { name = "continuing_bonus", default = 20, min = 0, max = 40,
      description = "points when a partnership in place is on track (scored by whether it works, not why it was chosen)", plausible = { 14, 26 } },
    { name = "systemic_penalty", default = 4, min = 0, max = 30,
      description = "points lost for systemic failure (inadequate on every key judgement), weighted by the rules of the date", plausible = { 2, 6 } },
    { name = "switching_penalty", default = 10, min = 0, max = 30,
      description = "points lost when another model in place is on track", plausible = { 6, 14 } },
    { name = "w_front_door", default = 3, min = 0, max = 15,
      description = "points lost at 2 or more unallocated cases per 1,000 children (the front door cannot wait for procurement)", plausible = { 1.5, 4.5 } },
    { name = "evidence_children", default = 60000, min = 0, max = 500000,
      description = "child population of the cities the model's evidence comes from (Plymouth, Stoke: about 50,000), rounded up", fixed = true },
    { name = "scale_penalty", default = 8, min = 0, max = 30,
      description = "points lost as a council's size rises to twice that of the model's evidence", plausible = { 4, 12 } },
  },
  score = score,
}
