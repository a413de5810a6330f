-- trust.lua - children's services removed from the council to an
-- independent non-profit trust under a statutory direction.
--
-- Evidence: 003 ch.4 "Formal improvement support and intervention" (third
-- contention: "the creation of an independent trust could be considered in
-- instances in which there is not the leadership commitment to and capacity
-- for driving change at service, corporate and political level");
-- 003 ch.3 formal support (d); 003 case study 3 (Doncaster: "constant cycle
-- of improvement and regression", the first trust, live September 2014, still
-- inadequate 2015 but improving); 002 (Ray Jones: a trust for a small
-- authority means "the delay, disruption and distraction for 18 months" and
-- "will still be too small and unsustainable and more costly"); DOMAIN what
-- happened (14-24 months to go live, GBP 2.5m-3.3m set-up, heavy overspends,
-- 0.7-4.2 years from go-live to better than inadequate, imposed trusts rare
-- after 2017).
--
-- A trust already in place is scored as continuing: by its trajectory
-- (p.rules, decided by the engine), with no set-up lag, and without the reasons for creating
-- one.  Before 2013 no children's services trust existed (Doncaster's was
-- the first), so a trust then was not an option the DfE had.
--
-- Declared directions (tests/check_models.c reads them from `directions`).

local EV_CONTENTION = "003 ch.4 Formal improvement support: trust where no commitment and capacity at service, corporate and political level"
local EV_SMALL = "002: a trust for a small authority is 18 months of delay, disruption and distraction, too small and more costly"
local EV_RULES = "DOMAIN rules in force: escalation notice -> direction -> commissioner -> removal"
local EV_COST = "DOMAIN what happened: trust set-up GBP 2.5m-3.3m, heavy overspends; 003 ch.2 Enabler 7"
local EV_WORKFORCE = "DOMAIN cross-cutting: workforce collapse slows every model; a transfer to a new employer adds disruption"
local EV_CONTINUING = "003 ch.1 pitfalls: false starts; DOMAIN what happened: trusts left inadequate 0.7-4.2 years after going live"

local F_OFFICER = { "ratings.senior_leadership", "ratings.middle_leadership" }
local F_MEMBER = { "ratings.political_commitment", "ratings.corporate_leadership" }
local F_ACCEPT = { "ratings.acceptance" }
local F_EXTENT = { "ratings.failure_extent" }
local F_WORKFORCE = { "ratings.workforce_stability" }
local F_STABILITY = { "ratings.leadership_stability" }
local F_FINANCE = { "ratings.financial_resilience" }
local F_CHURN = { "facts.leadership_changes_3y" }
local F_PERSISTENT = { "ofsted.grade", "ofsted.previous", "as_of" }
local F_SYSTEMIC = { "ofsted.judgements", "as_of" }
local F_SIZE = { "size.child_population" }
local F_CURRENT = { "current_intervention" }
local F_ASOF = { "as_of" }
local F_FRONT = { "facts.unallocated_cases", "size.child_population" }
-- The field of each rate imeval.worst_rate can name, made once: a list made
-- in each call was most of what the LuaJIT workers allocated per draw.
local F_RATE = { agency_rate = { "facts.agency_rate" }, vacancy_rate = { "facts.vacancy_rate" },
  turnover_rate = { "facts.turnover_rate" } }

local term = imeval.term
local clamp = imeval.clamp

local function child_population(p)
  return p.size and p.size.child_population
end

local function small(p, w)
  local cp = child_population(p)
  return cp ~= nil and cp < w.small_authority_children
end

-- The worst of the agency, vacancy and turnover rates above 15%, counted
-- once (DOMAIN: workforce collapse follows an inadequate judgement).
local function workforce_rates(p, w, s, rs)
  local worst, name = imeval.worst_rate(p, 0.15)
  if not worst then return s end
  -- (rs is nil in score-only calls, which read no text: none is made; the
  -- term is kept, not tail-called, as peer_support's grade_term says why)
  s = term(rs, s, F_RATE[name], -w.w_agency * (worst - 0.15) / 0.10, "",
    rs and string.format("the %s is %.0f%%: moving staff to a new employer adds disruption to an unstable workforce",
      string.gsub(name, "_", " "), 100 * worst) or "", EV_WORKFORCE)
  return s
end

-- Why a trust would be created: the third contention.
local function no_commitment(p, w, s, rs, officer, member)
  local r = p.ratings
  s = term(rs, s, F_MEMBER, w.w_commitment * (2 - member),
    "political and corporate leaders lack the commitment or capacity to drive change",
    "members and the corporate centre can drive change; removal is not warranted", EV_CONTENTION)
  s = term(rs, s, F_OFFICER, w.w_capacity * (2 - officer),
    "service leadership lacks the capacity to drive change",
    "service leaders have capacity to drive change", EV_CONTENTION)
  s = term(rs, s, F_ACCEPT, w.w_acceptance * (2 - r.acceptance),
    "leaders dispute or have not accepted the findings",
    "leaders accept the findings", "003 ch.1 factor (b); DOMAIN what happened")
  s = term(rs, s, F_EXTENT, w.w_extent * (r.failure_extent - 2),
    "the failure is widespread", "the failure is contained",
    "003 ch.1 factor (a); DOMAIN: trusts went to the worst cases")
  return s
end

local function conditions(p, w, s, rs)
  local r = p.ratings
  s = term(rs, s, F_WORKFORCE, w.w_workforce * (r.workforce_stability - 2),
    "a stable workforce can transfer to the trust",
    "an unstable workforce, and a transfer to a new employer adds disruption", EV_WORKFORCE)
  s = term(rs, s, F_STABILITY, w.w_stability * (r.leadership_stability - 2),
    "stable leadership through the transition", "leadership churn through the transition",
    "003 ch.2 Enabler 2")
  s = term(rs, s, F_FINANCE, w.w_finance * (r.financial_resilience - 2),
    "the council can fund the trust's contract and set-up",
    "the council cannot readily fund a trust: set-up and overspends are costly", EV_COST)
  s = workforce_rates(p, w, s, rs)
  local f = p.facts
  if f.leadership_changes_3y then
    s = term(rs, s, F_CHURN, -w.w_churn * clamp(f.leadership_changes_3y - 2, 0, 3), "",
      "repeated changes of director", "003 ch.3: a series of short-term interim leaders")
  end
  return s
end

-- The rules of the date: persistent and systemic failure, weighted as the
-- rules of the profile's own date weigh them (p.rules, decided by the engine).
local function rules_terms(p, w, s, rs, ru)
  local cw, regime = ru.commissioner_weight, ru.regime
  -- Evidence of Doncaster's trust (2013-14) cannot argue for a trust before it existed.
  local ev = p.rules_in_force.trusts and "003 case study 3 (Doncaster); DOMAIN rules in force"
    or "DOMAIN rules in force"
  if ru.persistent == 1 then
    s = term(rs, s, F_PERSISTENT, w.persistent_bonus * cw,
      rs and string.format("persistent failure: inadequate in %d and again in %d, within five years; removal "
        .. "is the last step of the ladder (%s)", ru.persistent_earlier_year, ru.persistent_year, regime) or "",
      "", ev)
  elseif ru.persistent == -1 then
    s = term(rs, s, F_PERSISTENT, w.persistent_bonus * cw * 0.5,
      rs and "an earlier inadequate judgement is undated: persistent failure if it fell within five years, "
        .. "so counted at half weight (" .. regime .. ")" or "", "", ev)
  end
  if ru.systemic == 1 then
    s = term(rs, s, F_SYSTEMIC, w.systemic_bonus * cw,
      rs and string.format("systemic failure: inadequate on all %d key judgements given (%s)", ru.n_key, regime)
        or "", "", "DOMAIN rules in force")
  end
  return s
end

-- The escalation ladder: a stalled or deteriorating intervention, or a
-- commissioner who has reviewed, moves removal closer.
local function escalation(p, w, s, rs, ru)
  local ci = p.current_intervention
  if not ci or p.grade ~= "inadequate" then return s end
  if ci.model ~= "trust" and (ru.trajectory == "stalling" or ru.trajectory == "deteriorating") then
    s = term(rs, s, F_CURRENT, w.escalation_bonus,
      rs and string.format("the %s in place has %s (%s): the next step on the ladder is closer", ci.model,
        ru.trajectory == "stalling" and "stalled" or "deteriorated", ru.why) or "", "", EV_RULES)
  end
  if ci.model == "commissioner" and ru.months and ru.months >= w.review_months then
    s = term(rs, s, F_CURRENT, w.after_review_bonus,
      "a commissioner has reviewed the council: removal to a trust is one of its options", "",
      "DOMAIN rules in force: a trust is one possible outcome of a commissioner's review")
  end
  if ci.model ~= "trust" and ci.model ~= "commissioner" and ru.trajectory == "on_track" then
    s = term(rs, s, F_CURRENT, -w.switching_penalty, "",
      rs and string.format("the %s in place is on track (%s): removal would restart the journey", ci.model, ru.why)
        or "", EV_CONTINUING)
  end
  return s
end

local function context(p, w, s, rs)
  if small(p, w) then
    s = term(rs, s, F_SIZE, -w.small_penalty, "",
      "a small authority: a trust would be too small, unsustainable and more costly", EV_SMALL)
  end
  -- the rules in force at the profile's date, as the engine decides them
  if not p.rules_in_force.trusts then
    s = term(rs, s, F_ASOF, -w.before_trusts_penalty, "",
      "no children's services trust existed yet (the first, Doncaster's, followed the 2013 review): "
        .. "removal then meant a direction to contract the service out",
      "003 case study 3; 000, 004: government-ordered interventions")
  elseif p.rules_in_force.sector_led then
    s = term(rs, s, F_ASOF, -w.sector_led_penalty, "",
      "since 2017 the emphasis is on sector-led support and imposed trusts are rare",
      "DOMAIN rules in force: from 2017 sector-led support; since 2023 a trust is one possible outcome")
  end
  local f = p.facts
  local cp = child_population(p)
  if f.unallocated_cases and cp and cp > 0 then
    local u = clamp(f.unallocated_cases / (cp / 1000) / 2, 0, 1)
    s = term(rs, s, F_FRONT, -w.w_front_door * u, "",
      rs and string.format("%.0f unallocated cases: the front door needs grip now, not after a trust's 14-24 months of set-up",
        f.unallocated_cases) or "",
      "003 ch.2 Enabler 5: a secure front end first; a good service can become poor within three months")
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

local function unmet_list(p, ru)
  local u
  if p.grade ~= "inadequate" and not (p.current_intervention and p.current_intervention.model == "trust") then
    u = unmet_add(u, "the authority is not judged inadequate: removal to a trust needs a statutory "
      .. "direction after an inadequate judgement (DOMAIN rules in force)")
  end
  local ci = p.current_intervention
  if ci and ci.model == "trust" and (ru.trajectory == "stalling" or ru.trajectory == "deteriorating") then
    u = unmet_add(u, string.format("the trust in place has %s (%s) and services are still inadequate: a "
      .. "commissioner should review the trust (DOMAIN: three trusts returned in-house, one restructured)",
      ru.trajectory == "stalling" and "stalled" or "deteriorated", ru.why))
  end
  return u
end

local function risks(p, w, in_place)
  local r = {}
  if not in_place then
    r[#r + 1] = "set-up takes 14-24 months and about GBP 2.5m-3.3m; several trusts overspent heavily "
      .. "(DOMAIN what happened)"
    r[#r + 1] = "services stay inadequate during set-up and for a while after going live (DOMAIN: "
      .. "0.7-4.2 years from go-live to better than inadequate)"
  else
    r[#r + 1] = "three trusts have since returned in-house and one was restructured (DOMAIN what happened)"
  end
  if small(p, w) then
    r[#r + 1] = "small authority: '18 months of delay, disruption and distraction' and a trust "
      .. "'too small and unsustainable' (002)"
  end
  return r
end

local function score(p, w)
  local r = p.ratings
  local quiet = p.score_only
  -- A brief call (a CSV, which shows none) makes no reason or risk either.
  local brief = quiet or p.brief
  local rs = (not brief) and {} or nil
  local officer = (r.senior_leadership + r.middle_leadership) / 2
  local member = (r.political_commitment + r.corporate_leadership) / 2
  local ru = p.rules
  local ci = p.current_intervention
  local in_place = ci ~= nil and ci.model == "trust"
  local s = w.base
  s = imeval.base(rs, s, "the base score of a trust, before any factor",
    "declared parameter base (docs/models.md)")
  if in_place then
    if ru.trajectory == "on_track" or ru.trajectory == "unknown" then
      s = term(rs, s, F_CURRENT, w.continuing_bonus,
        rs and "the trust is in place and on track (" .. ru.why .. "): scored as continuing, by whether it "
          .. "is working, not as a new choice" or "", "", EV_CONTINUING)
    end
    if p.grade ~= "inadequate" then
      s = term(rs, s, { "ofsted.grade" }, w.continuing_bonus / 2,
        "the trust has taken the service out of inadequate", "", EV_CONTINUING)
    end
  else
    s = no_commitment(p, w, s, rs, officer, member)
    s = rules_terms(p, w, s, rs, ru)
    s = escalation(p, w, s, rs, ru)
    s = context(p, w, s, rs)
  end
  s = conditions(p, w, s, rs)
  -- A score-only draw (bulk draws read nothing else) returns the score and its
  -- unmet preconditions as two values: no result table to make every draw.
  if quiet then return clamp(s, 0, 100), unmet_list(p, ru) end
  local res = { score = clamp(s, 0, 100), unmet_preconditions = unmet_list(p, ru) }
  res.reasons = rs
  -- the journey runs from going live; months under a trust in place count
  -- at its trajectory's pace (imeval.timeline)
  res.timeline = imeval.timeline(p, w.setup_months, in_place)
  if not brief then res.risks = risks(p, w, in_place) end
  return res
end

return {
  id = "trust",
  name = "Independent trust",
  version = "2.0.0",
  summary = "Services removed to an independent non-profit trust; fits the absence of commitment and "
    .. "capacity at service, corporate and political level, persistent or systemic failure and "
    .. "stalled interventions; a trust in place is judged by its trajectory.",
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
      description = "points lost per 10 percentage points of the worst of agency, vacancy and turnover rates above 15%", plausible = { 1.5, 2.5 } },
    { name = "w_churn", default = 1, min = 0, max = 5,
      description = "points lost per leadership change beyond two in three years (up to three)", plausible = { 0.75, 1.25 } },
    { name = "w_front_door", default = 4, min = 0, max = 15,
      description = "points lost at 2 or more unallocated cases per 1,000 children (the front door cannot wait for set-up)", plausible = { 2, 6 } },
    { name = "persistent_bonus", default = 12, min = 0, max = 30,
      description = "points for persistent failure (inadequate twice within five years), weighted by the rules of the date", plausible = { 9, 15 } },
    { name = "systemic_bonus", default = 6, min = 0, max = 30,
      description = "points for systemic failure (inadequate on every key judgement), weighted by the rules of the date", plausible = { 4, 8 } },
    { name = "escalation_bonus", default = 10, min = 0, max = 30,
      description = "points when the intervention in place has stalled or is deteriorating", plausible = { 7.5, 12.5 } },
    { name = "after_review_bonus", default = 6, min = 0, max = 20,
      description = "points when a commissioner in place has had time to review", plausible = { 4.5, 7.5 } },
    { name = "switching_penalty", default = 10, min = 0, max = 30,
      description = "points lost when another model in place is on track", plausible = { 6, 14 } },
    { name = "review_months", default = 4, min = 1, max = 12,
      description = "months after which a commissioner in place has reviewed (DOMAIN: 2-4)", plausible = { 3, 5 } },
    { name = "small_authority_children", default = 40000, min = 0, max = 200000,
      description = "child population below which the small-authority warning applies", plausible = { 30000, 50000 } },
    { name = "small_penalty", default = 20, min = 0, max = 40,
      description = "points lost for a small authority", plausible = { 15, 25 } },
    { name = "before_trusts_penalty", default = 15, min = 0, max = 40,
      description = "points lost before any children's services trust existed", plausible = { 10, 20 } },
    { name = "sector_led_penalty", default = 5, min = 0, max = 20,
      description = "points lost from that year", plausible = { 3.75, 6.25 } },
    { name = "stall_months", default = 48, min = 12, max = 96,
      description = "months under a trust, still inadequate, after which it has stalled unless findings say it is improving", plausible = { 36, 60 } },
    { name = "setup_months", default = 18, min = 6, max = 36,
      description = "months from decision to the trust going live (DOMAIN: 14-24; 002: 18)", plausible = { 14, 24 } },
    { name = "continuing_bonus", default = 30, min = 0, max = 50,
      description = "points when a trust in place is on track (scored by whether it works, not why it was created)", plausible = { 20, 40 } },
    { name = "range_low", default = 0.35, min = 0.1, max = 1,
      description = "low end of the timeline as a share of the likely months after set-up (DOMAIN: 0.7 years from go-live at best)", fixed = true },
    { name = "range_high", default = 1.6, min = 1, max = 3,
      description = "high end of the timeline as a multiple of the likely months after set-up (DOMAIN: 4.2 years from go-live at worst)", fixed = true },
  },
  score = score,
}
