-- view.lua - checks, from inside Lua, that the profile table p holds what
-- the engine documents for the profile tests/check_lua.c gives it.  Any
-- mismatch is an error naming the field; all correct scores 64 (65 when
-- the call is brief).
local function check(cond, what)
  if not cond then error("p mismatch: " .. what, 0) end
end
return {
  id = "lua_view", name = "View probe", version = "1.0.0",
  summary = "checks the profile table", evidence = "none",
  parameters = { { name = "k", default = 2, min = 0, max = 4, description = "a parameter" } },
  score = function(p, params)
    check(p.id == "view-test", "id " .. tostring(p.id))
    check(p.name == "View Test", "name")
    check(p.as_of == "2014-03", "as_of")
    check(p.grade == "requires_improvement", "grade " .. tostring(p.grade))
    check(#p.previous == 2 and p.previous[1] == "inadequate" and p.previous[2] == "good",
          "previous")
    check(p.size.child_population == 30000 and p.size.children_in_care == nil, "size")
    check(p.ratings.senior_leadership == 1.5, "ratings.senior_leadership")
    check(p.ratings.partnerships == 2, "ratings.partnerships (midpoint of 1..3)")
    check(p.ratings.failure_extent == 3, "ratings.failure_extent (mode)")
    check(p.facts.agency_rate == 0.3 and p.facts.failure_years == nil, "facts")
    check(p.current_intervention and p.current_intervention.model == "improvement_board"
          and p.current_intervention.since == "2013" and p.current_intervention.partner == nil,
          "current_intervention")
    -- "2013" is mid-2013 and "2014-03" mid-March 2014: 9 months.
    check(p.current_intervention.months == 9,
          "current_intervention.months " .. tostring(p.current_intervention.months))
    check(#p.partners == 1 and p.partners[1].id == "hampshire"
          and p.partners[1].neighbouring == true and p.partners[1].grade == "good"
          and p.partners[1].child_population == nil, "partners")
    check(params.k == 2, "params.k")
    check(p.score_only == false, "score_only")
    check(p.brief == nil or p.brief == true, "brief " .. tostring(p.brief))
    local fair, good = imeval.journey(p)
    check(type(fair) == "number" and type(good) == "number" and good >= fair, "imeval.journey")
    check(type(imeval.version) == "string", "imeval.version")
    -- a brief call (IMV_VIEW_BRIEF) scores one more, so the test sees p.brief
    return p.brief and 65 or 64
  end,
}
