-- two_values.lua - answers score-only calls with two values, the score and
-- its unmet preconditions (docs/plugin-guide.md), and full calls with a
-- result table: the same figures either way (tests/check_lua.c,
-- tests/check_luajit.c).  The unmet precondition is a list of one text,
-- or for the profile "text" the text alone.
return {
  id = "lua_two_values",
  name = "Two-value fixture",
  version = "1.0.0",
  summary = "a score and its unmet preconditions as two values",
  evidence = "none (test)",
  parameters = {},
  score = function(p, params)
    local acc = p.ratings.acceptance
    local unmet = nil
    if acc < 1 then
      unmet = "the council must accept the judgement"
      if p.id ~= "text" then unmet = { unmet } end
    end
    if p.score_only then return 10 * acc, unmet end
    return { score = 10 * acc, unmet_preconditions = unmet }
  end,
}
