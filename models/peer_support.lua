-- peer_support.lua - the council keeps control with intensive support from
-- a strong council: peer challenge and in-depth advice (partners in
-- practice), and its embedded, directed form, a sector-led improvement
-- partner that places practice leads and challenge inside the service under
-- a notice or direction (the dominant response since 2017 for a committed
-- council with thin officer capacity: DOMAIN rules in force and record,
-- Leeds-Kirklees; 001 Plymouth-Dorset).
--
-- Evidence: 003 ch.4 "Formal improvement support and intervention" (first
-- contention: "peer support and oversight from an improvement board" where
-- the service "has both the officer and elected member capacity"); 003 ch.3
-- formal support (b) ("capacity to advise on issues in greater depth than an
-- independent chair"), the divided opinion on shared leadership vs peer
-- support, and the limited spare capacity of strong councils; 003 ch.4
-- (partners in practice should support the fair-to-good stage); DOMAIN rules
-- in force (from 2017 sector-led support: partners in practice, sector-led
-- improvement partners) and record (Leeds-Kirklees: RI 2019, good 2024);
-- 001 (Plymouth 2022+: improvement partner Dorset Council; RI in 2024).
--
-- Why this model and not a new one: the embedded, directed form differs
-- from advice only in how much of the partner is inside the service, which
-- is a matter of degree (the partner's fit and the council's need), not a
-- different kind of intervention; the council keeps its own director either
-- way, unlike the executive partnership.  See docs/models.md.
--
-- Declared directions (tests/check_models.c reads them from `directions`).

local EV_CONTENTION = "003 ch.4 Formal improvement support: peer support where officer and elected member capacity"
local EV_ADVICE = "003 ch.3 formal support (b): peer support advises in depth, it does not supply leaders"
local EV_SECTOR = "DOMAIN rules in force: from 2017 sector-led support (partners in practice, sector-led improvement partners); record: Leeds-Kirklees"
local EV_PARTNER = "003 ch.3: strong councils have little spare capacity, the risk of over-burdening system leaders; DOMAIN cross-cutting: the effect depends on the external support and the receiving service"
local EV_WORKFORCE = "003 ch.2 Enabler 3: workforce turbulence after an inadequate judgement"
local EV_STABILITY = "003 ch.2 Enabler 2: stable leadership; 001: progress too slow due to senior leader instability"
local EV_CONTINUING = "003 ch.1 pitfalls: false starts; DOMAIN rules in force: escalate when still inadequate under an intervention"

local F_OFFICER = { "ratings.senior_leadership", "ratings.middle_leadership" }
local F_MEMBER = { "ratings.political_commitment", "ratings.corporate_leadership" }
local F_ACCEPT = { "ratings.acceptance" }
local F_SELF = { "ratings.self_assessment" }
local F_EXTENT = { "ratings.failure_extent" }
local F_WORKFORCE = { "ratings.workforce_stability" }
local F_STABILITY = { "ratings.leadership_stability" }
local F_FINANCE = { "ratings.financial_resilience" }
local F_CHURN = { "facts.leadership_changes_3y" }
local F_GRADE = { "ofsted.grade" }
local F_PERSISTENT = { "ofsted.grade", "ofsted.previous", "as_of" }
local F_SYSTEMIC = { "ofsted.judgements", "as_of" }
local F_PARTNER = { "partners", "ratings.acceptance", "ratings.political_commitment", "ratings.corporate_leadership" }
local F_CURRENT = { "current_intervention" }
local F_INVEST = { "facts.additional_investment_gbp_m", "size.child_population" }
-- The field of each rate imeval.worst_rate can name, made once: a list made
-- in each call was, with the empty list below, most of what the LuaJIT
-- workers allocated per draw.
local F_RATE = { agency_rate = { "facts.agency_rate" }, vacancy_rate = { "facts.vacancy_rate" },
  turnover_rate = { "facts.turnover_rate" } }
-- The partners of a profile that names none (two thirds of the national
-- scenario's): one empty list, never written to.
local NO_PARTNERS = {}

local term = imeval.term
local clamp = imeval.clamp

local GRADE_PTS = { outstanding = 25, good = 15, requires_improvement = -25, not_inspected = -10 }

-- The fit of one candidate partner, 0..100, in one place with its parts
-- named (for the reason line and for issue 15's itemised partner view):
-- grade, spare capacity, commitments, size, neighbouring, and the
-- receiving council's conditions.  Size is a stretch risk that spare
-- capacity offsets: a strong small partner with capacity to spare is not
-- refused for being small.  Support lands only where the receiving council
-- accepts the findings and its members are committed (DOMAIN
-- cross-cutting).  Returns nil and why when it cannot support at all;
-- else the fit and, when want_parts, its parts (a table: score-only
-- draws, which read no parts, make none).
local function partner_fit(c, p, w, want_parts)
  if c.grade == "inadequate" then return nil, "it is itself inadequate" end
  local grade = GRADE_PTS[c.grade] or -10
  local spare, spare_pts = c.spare_leadership_capacity, nil
  if spare == nil then
    spare_pts, spare = -5, 2
  elseif spare < w.min_spare_capacity then
    return nil, "it has too little spare leadership capacity"
  else
    spare_pts = 8 * (spare - 2)
  end
  local commitments = -8 * (c.current_commitments or 0)
  local stretch = 1 - clamp((spare - 2) / 1.5, 0, 1)
  local size = 0
  if c.child_population and c.child_population < w.small_partner_children then
    size = -8 * stretch
  end
  -- Peer support can come from further away than a shared director.
  local neighbouring = c.neighbouring == true and 4 or 0
  local r = p.ratings
  local member = (r.political_commitment + r.corporate_leadership) / 2
  local receiving = 3 * (r.acceptance - 2) + 2 * (member - 2)
  -- Summed in a fixed order, the same with or without parts.
  local total = 40 + grade + spare_pts + commitments + size + neighbouring + receiving
  local fit = clamp(total, 0, 100)
  if not want_parts then return fit, nil end
  -- One constructor, each key stored once (LuaJIT issue 1128: docs/robustness.md).
  return fit, { base = 40, grade = grade, spare = spare_pts, commitments = commitments, size = size,
    neighbouring = neighbouring, receiving = receiving, limit = fit - total }
end

-- The parts of a fit as the result's partner.components, in a fixed order.
local FIT_PARTS = {
  { "base", "base", "the starting fit of any candidate (docs/models.md)" },
  { "grade", "grade", "003 case study 4: a strong partner; 002: Plymouth itself requires improvement" },
  { "spare_capacity", "spare", "003 ch.3: strong councils have little spare capacity to lend" },
  { "commitments", "commitments", "003 ch.3: the risk of over-burdening system leaders" },
  { "size", "size", "002: a relatively small authority is likely to be stretched" },
  { "neighbouring", "neighbouring", "003 ch.3 (b): peer support can come from further away than a shared director" },
  { "receiving_conditions", "receiving", "DOMAIN cross-cutting: the effect depends on the conditions within the receiving service" },
}

local function fit_components(parts)
  local cs = {}
  for _, k in ipairs(FIT_PARTS) do imeval.fit_part(cs, 0, k[1], parts[k[2]], k[3]) end
  if parts.limit ~= 0 then imeval.fit_part(cs, 0, "limit", parts.limit, "a fit is kept within 0..100") end
  return cs
end

-- The partner: the one in place when this model is in place and names it,
-- else the best candidate whose fit reaches min_fit.
local function choose_partner(p, w, want_parts)
  local ci = p.current_intervention
  local best, best_fit, best_parts = nil, -1, nil
  for _, c in ipairs(p.partners or NO_PARTNERS) do
    local f, parts = partner_fit(c, p, w, want_parts)
    if ci and ci.model == "peer_support" and ci.partner == c.id then
      return (f and f >= w.min_fit) and c or nil, f or 0, parts
    end
    if f and f >= w.min_fit and f > best_fit then best, best_fit, best_parts = c, f, parts end
  end
  return best, best_fit, best_parts
end

local function candidate_reasons(p, w, rs)
  for _, c in ipairs(p.partners or NO_PARTNERS) do
    local f, parts = partner_fit(c, p, w, true)
    local text
    if not f then
      text = string.format("candidate %s cannot support: %s", c.id, parts)
    else
      text = string.format("candidate %s fits %.0f/100 (%s %.0f needed): 40, grade %s %+.0f, spare "
        .. "capacity %+.0f, other commitments %+.0f, size %+.0f, neighbouring %+.0f, the receiving "
        .. "council's acceptance and commitment %+.0f", c.id, f,
        f >= w.min_fit and "at least" or "below the", w.min_fit, c.grade or "not given", parts.grade,
        parts.spare, parts.commitments, parts.size, parts.neighbouring, parts.receiving)
    end
    rs[#rs + 1] = { fields = { "partners" }, points = 0, text = text, evidence = EV_PARTNER }
  end
end

local function workforce_rates(p, w, s, rs)
  local worst, name = imeval.worst_rate(p, 0.15)
  if not worst then return s end
  -- (rs is nil in score-only calls, which read no text: none is made)
  s = term(rs, s, F_RATE[name], -w.w_agency * (worst - 0.15) / 0.10, "",
    rs and string.format("the %s is %.0f%%: advice and practice leads land on a workforce that keeps changing",
      string.gsub(name, "_", " "), 100 * worst) or "", EV_WORKFORCE)
  return s
end

local function conditions(p, w, s, rs)
  local r = p.ratings
  s = term(rs, s, F_WORKFORCE, w.w_workforce * (r.workforce_stability - 2),
    "a stable workforce can act on the partner's challenge",
    "workforce turbulence: the support has too few stable staff to land on", EV_WORKFORCE)
  s = term(rs, s, F_STABILITY, w.w_stability * (r.leadership_stability - 2),
    "stable leaders to work alongside the partner",
    "leadership churn undermines support that leaves the council's own leaders in charge", EV_STABILITY)
  s = term(rs, s, F_FINANCE, w.w_finance * (r.financial_resilience - 2),
    "the council can fund what the partner recommends",
    "weak finances limit what the council can act on", "003 ch.2 Enabler 7")
  s = workforce_rates(p, w, s, rs)
  local f = p.facts
  if f.leadership_changes_3y then
    s = term(rs, s, F_CHURN, -w.w_churn * clamp(f.leadership_changes_3y - 2, 0, 3), "",
      "repeated changes of director", "003 ch.3: a series of short-term interim leaders destabilises a service")
  end
  if f.additional_investment_gbp_m then
    local cp = p.size and p.size.child_population
    local floor = 1.5 + 3.3 * (cp and clamp((cp - 25000) / 225000, 0, 1) or 0.5)
    local pts = w.w_investment * clamp((f.additional_investment_gbp_m - floor) / floor, -1, 1)
    s = term(rs, s, F_INVEST, pts,
      rs and string.format("GBP %.1fm of additional investment against about GBP %.1fm at the low end for a "
        .. "council of this size: enough to act on the partner's advice", f.additional_investment_gbp_m, floor) or "",
      rs and string.format("GBP %.1fm of additional investment against about GBP %.1fm at the low end for a "
        .. "council of this size: below what turnarounds of this size needed", f.additional_investment_gbp_m, floor)
        or "",
      "003 ch.2 Enabler 7: GBP 1.5m (small) to 35m (large); DOMAIN: GBP 4.8m-16m alongside a retained model")
  end
  return s
end

-- Why support would be chosen; with a strong partner the thin-officer gap
-- is carried by its embedded practice leads (a gradient, not a veto).
local function capacity(p, w, s, rs, officer, member, q)
  local r = p.ratings
  s = term(rs, s, F_OFFICER, w.w_officer * (officer - 2),
    "officers have the capacity to act on expert challenge and advice",
    "officer capacity is below the middle anchor: support needs leaders to carry it out", EV_CONTENTION)
  s = term(rs, s, F_OFFICER, -w.w_thin * clamp(1.5 - officer, 0, 1.5) * (1 - q), "",
    q > 0 and "officer capacity is thin; the partner's embedded leads carry part of the gap"
      or "officer capacity is thin and no strong partner is named: advice alone needs leaders to act on it",
    EV_ADVICE)
  s = term(rs, s, F_MEMBER, w.w_member * (member - 2),
    "members and the corporate centre are committed to keep control and sustain improvement",
    "members and the corporate centre are not yet able to sustain improvement", EV_CONTENTION)
  s = term(rs, s, F_ACCEPT, w.w_acceptance * (r.acceptance - 2),
    "leaders accept the findings and are open to challenge",
    "leaders do not fully accept the findings; peer challenge works only with an open reviewee",
    "003 ch.3 peer review: the reviewee's approach is critical")
  s = term(rs, s, F_SELF, w.w_self_assessment * (r.self_assessment - 2),
    "an accurate self-assessment for the partner to test",
    "a weak self-assessment for the partner to start from",
    "003 ch.3 peer review: used to test the accuracy of self-assessment")
  s = term(rs, s, F_EXTENT, -w.w_extent * (r.failure_extent - 2) * (1 - 0.5 * q),
    "the weaknesses are contained",
    q > 0 and "the failure is widespread; embedded support reaches part of it"
      or "the failure is widespread for an advice-only model", "003 ch.1 factor (a)")
  return s
end

-- The terms below are kept in s and returned, not tail calls: LuaJIT counts
-- a trace's tail calls against its loop-unroll limit, and these made it
-- give up compiling peer_support's draws (docs/performance.md).
local function grade_term(p, w, s, rs)
  local g = p.grade
  if g == "requires_improvement" then
    s = term(rs, s, F_GRADE, w.ri_bonus,
      "fair-to-good stage: where the report wants partners in practice to focus", "",
      "003 ch.4: partners in practice should support councils from fair to good")
    return s
  elseif g == "good" or g == "outstanding" then
    s = term(rs, s, F_GRADE, -w.good_penalty, "",
      "already good: the council's own plan with voluntary peer review is enough",
      "DOMAIN: a good or outstanding authority does not need formal intervention")
    return s
  end
  return s
end

local function rules_terms(p, w, s, rs, ru)
  local cw, regime = ru.commissioner_weight, ru.regime
  local ci = p.current_intervention
  -- With a commissioner in place the review the rules call for is under way or done.
  local reviewed = ci ~= nil and ci.model == "commissioner"
  if reviewed then
  elseif ru.persistent == 1 then
    s = term(rs, s, F_PERSISTENT, -w.persistent_penalty * cw, "",
      rs and string.format("persistent failure: inadequate in %d and again in %d, within five years; the "
        .. "rules point to a commissioner's review rather than support alone (%s)",
        ru.persistent_earlier_year, ru.persistent_year, regime) or "", "DOMAIN rules in force")
  elseif ru.persistent == -1 then
    s = term(rs, s, F_PERSISTENT, -w.persistent_penalty * cw * 0.5, "",
      rs and "an earlier inadequate judgement is undated: persistent failure if it fell within five years, "
        .. "so counted at half weight (" .. regime .. ")" or "", "DOMAIN rules in force")
  end
  if ru.systemic == 1 and not reviewed then
    s = term(rs, s, F_SYSTEMIC, -w.systemic_penalty * cw, "",
      rs and string.format("systemic failure: inadequate on all %d key judgements given; the rules point to a "
        .. "commissioner's review first (%s)", ru.n_key, regime) or "", "DOMAIN rules in force")
  end
  if ci and ci.model ~= "peer_support" and ci.model ~= "commissioner" and ru.trajectory == "on_track" then
    s = term(rs, s, F_CURRENT, -w.switching_penalty, "",
      rs and string.format("the %s in place is on track (%s): replacing it would restart the set-up and the journey",
        ci.model, ru.why) or "", EV_CONTINUING)
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

local function unmet_list(p, w, officer, member, partner, ru)
  local u
  local ci = p.current_intervention
  local in_place = ci ~= nil and ci.model == "peer_support"
  if member < w.min_member_capacity and not in_place then
    u = unmet_add(u, "political and corporate capacity is too low: keeping control with support needs "
      .. "members and a corporate centre committed to it; consider a commissioner (003 ch.4 first "
      .. "and third contentions)")
  end
  if officer < w.min_officer_capacity and not partner and not in_place then
    u = unmet_add(u, "officer capacity is near none and no strong partner with spare capacity is named: "
      .. "advice has nobody to act on it; name a partner or consider an executive partnership "
      .. "(003 ch.3 (b); 003 ch.4 second contention)")
  end
  if in_place and (ru.trajectory == "stalling" or ru.trajectory == "deteriorating") then
    u = unmet_add(u, string.format("the support in place has %s (%s) and the authority is still "
      .. "inadequate: escalate to a board with a notice, or a commissioner (DOMAIN rules in force)",
      ru.trajectory == "stalling" and "stalled" or "deteriorated", ru.why))
  end
  return u
end

local function score(p, w)
  local r = p.ratings
  local quiet = p.score_only
  -- A brief call (a CSV, which shows none) makes no reason, risk or part
  -- either; all it gives is what a full call would, less those.
  local brief = quiet or p.brief
  local rs = (not brief) and {} or nil
  local officer = (r.senior_leadership + r.middle_leadership) / 2
  local member = (r.political_commitment + r.corporate_leadership) / 2
  local ru = p.rules
  local ci = p.current_intervention
  local in_place = ci ~= nil and ci.model == "peer_support"
  local partner, fit, fparts = choose_partner(p, w, not brief)
  -- How much of a strong partner there is, 0..1 (fit 60 -> 0, 100 -> 1).
  local q = partner and clamp((fit - 60) / 40, 0, 1) or 0
  local s = imeval.base(rs, w.base, "the base score of keeping control with peer support, before any factor",
    "declared parameter base (docs/models.md)")
  if in_place then
    if ru.trajectory == "on_track" or ru.trajectory == "unknown" then
      s = term(rs, s, F_CURRENT, w.continuing_bonus,
        rs and "the support is in place and on track (" .. ru.why .. "): scored as continuing, by whether "
          .. "it is working, not as a new choice" or "", "", EV_CONTINUING)
    end
  else
    s = grade_term(p, w, s, rs)
    s = capacity(p, w, s, rs, officer, member, q)
    if partner then
      s = term(rs, s, F_PARTNER, w.w_partner * q,
        rs and string.format("%s, a strong council with spare capacity (fit %.0f/100), can give intensive support, "
          .. "embedded and directed if need be, while the council keeps control", partner.id, fit) or "",
        "", EV_SECTOR)
    end
    s = rules_terms(p, w, s, rs, ru)
  end
  s = conditions(p, w, s, rs)
  -- A score-only draw (bulk draws read nothing else) returns the score and its
  -- unmet preconditions as two values: no result table to make every draw.
  if quiet then return clamp(s, 0, 100), unmet_list(p, w, officer, member, partner, ru) end
  local res = { score = clamp(s, 0, 100), unmet_preconditions = unmet_list(p, w, officer, member, partner, ru) }
  res.timeline = imeval.timeline(p, w.setup_months, in_place)
  if partner then res.partner = { id = partner.id, fit = fit, components = fparts and fit_components(fparts) } end
  if brief then return res end
  candidate_reasons(p, w, rs)
  res.reasons = rs
  res.risks = {
    "strong councils have little spare capacity to lend; partners in practice are few "
      .. "(003 ch.3: risk of over-burdening system leaders)",
  }
  if p.grade == "inadequate" and r.failure_extent >= 3 and q < 0.5 then
    res.risks[#res.risks + 1] = "support without a strong embedded partner may not reach a widespread "
      .. "failure; keep a board or escalation in reserve (003 ch.3: opinion divided)"
  end
  return res
end

return {
  id = "peer_support",
  name = "Peer support (partner in practice, sector-led improvement partner)",
  version = "2.0.0",
  summary = "The council keeps control with intensive support from a strong council: challenge and "
    .. "advice, or embedded practice leads under a direction; fits committed councils, with a "
    .. "strong partner with spare capacity where officers are thin, and the fair-to-good stage.",
  evidence = "003 ch.4 first contention; 003 ch.3 formal support (b) and system leadership capacity; "
    .. "DOMAIN rules in force (sector-led support from 2017) and record (Leeds-Kirklees); 001 (Plymouth-Dorset)",
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
    { name = "w_thin", default = 8, min = 0, max = 20,
      description = "further points lost per rating point of officer capacity below 1.5, less the share a strong partner carries", plausible = { 6, 10 } },
    { name = "w_member", default = 4, min = 0, max = 20,
      description = "points per rating point of member capacity (mean political commitment and corporate leadership) above 2", plausible = { 3, 5 } },
    { name = "w_acceptance", default = 3, min = 0, max = 10,
      description = "points per rating point of acceptance above 2", plausible = { 2.25, 3.75 } },
    { name = "w_self_assessment", default = 3, min = 0, max = 10,
      description = "points per rating point of self_assessment above 2", plausible = { 2.25, 3.75 } },
    { name = "w_extent", default = 5, min = 0, max = 15,
      description = "points lost per rating point of failure_extent above 2 (half of it with a strong embedded partner)", plausible = { 3.75, 6.25 } },
    { name = "w_partner", default = 12, min = 0, max = 30,
      description = "points for a strong partner with spare capacity (fit 100; none at fit 60)", plausible = { 8, 16 } },
    { name = "min_fit", default = 55, min = 0, max = 100,
      description = "partner fit below which a candidate is not named as the supporting council", plausible = { 45, 65 } },
    { name = "min_spare_capacity", default = 1, min = 0, max = 4,
      description = "spare leadership capacity a supporting council must have", plausible = { 0.75, 1.25 } },
    { name = "small_partner_children", default = 60000, min = 0, max = 500000,
      description = "child population below which a partner is small and easily stretched (unless it has spare capacity)", plausible = { 45000, 75000 } },
    { name = "w_workforce", default = 3, min = 0, max = 10,
      description = "points per rating point of workforce_stability above 2", plausible = { 2.25, 3.75 } },
    { name = "w_stability", default = 4, min = 0, max = 10,
      description = "points per rating point of leadership_stability above 2", plausible = { 3, 5 } },
    { name = "w_finance", default = 2, min = 0, max = 10,
      description = "points per rating point of financial_resilience above 2", plausible = { 1.5, 2.5 } },
    { name = "w_agency", default = 3, min = 0, max = 10,
      description = "points lost per 10 percentage points of the worst of agency, vacancy and turnover rates above 15%", plausible = { 2.25, 3.75 } },
    { name = "w_churn", default = 2, min = 0, max = 5,
      description = "points lost per leadership change beyond two in three years (up to three)", plausible = { 1.5, 2.5 } },
    { name = "w_investment", default = 3, min = 0, max = 10,
      description = "points for additional investment at (up to double) the low end of what turnarounds of this size needed; as many lost below it", plausible = { 1.5, 4.5 } },
    { name = "persistent_penalty", default = 12, min = 0, max = 30,
      description = "points lost for persistent failure (inadequate twice within five years), weighted by the rules of the date", plausible = { 9, 15 } },
    { name = "systemic_penalty", default = 6, min = 0, max = 30,
      description = "points lost for systemic failure (inadequate on every key judgement), weighted by the rules of the date", plausible = { 4, 8 } },
    { name = "switching_penalty", default = 10, min = 0, max = 30,
      description = "points lost when another model in place is on track", plausible = { 6, 14 } },
    { name = "ri_bonus", default = 8, min = 0, max = 30,
      description = "points when the authority requires improvement (fair to good stage)", plausible = { 6, 10 } },
    { name = "good_penalty", default = 12, min = 0, max = 40,
      description = "points lost when the authority is already good or outstanding", plausible = { 9, 15 } },
    { name = "min_officer_capacity", default = 0.75, min = 0, max = 4,
      description = "officer capacity below which advice has nobody to act on it, when no strong partner is named", plausible = { 0.5, 1 } },
    { name = "min_member_capacity", default = 1.5, min = 0, max = 4,
      description = "member capacity below which the council cannot keep control with support", plausible = { 1.25, 1.75 } },
    { name = "stall_months", default = 24, min = 6, max = 72,
      description = "months under support, still inadequate, after which it has stalled unless findings say it is improving", plausible = { 18, 30 } },
    { name = "setup_months", default = 2, min = 0, max = 12,
      description = "months to broker the partner and agree the support", plausible = { 1.5, 3 } },
    { name = "continuing_bonus", default = 20, min = 0, max = 40,
      description = "points when support in place is on track (scored by whether it works, not why it was chosen)", plausible = { 14, 26 } },
  },
  score = score,
}
