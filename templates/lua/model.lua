-- @ID@.lua - @TITLE@: an intervention model for imeval, written by
-- `imeval new-model @ID@ --lang lua`.  Edit the rule in score() and the
-- parameters; keep every reason's evidence pointing at the research.
--
--   make try        evaluates example-council.json with the bundled models and this one
--   make check      runs imeval check-model on @ID@.lua
--   make backtest   compares the ranking with expected.tsv
--
-- Declared directions (directions; check-model tests them): more
-- political_commitment or acceptance never lowers the score; no other
-- rating moves it.  The plugin guide (plugin-guide.md) says what every
-- field means; the sandbox has no io, os, require or print.
return {
  id = "@ID@",
  name = "@TITLE@",
  version = "0.1.0",
  summary = "favours committed members and leaders who accept the judgement",
  evidence = "003 ch.1 (recognition of weakness); 003 ch.2 (political commitment)",
  -- name, default, hard limits (a value outside is refused), meaning, and the
  -- plausible range --vary-parameters draws from (the base is never drawn).
  parameters = {
    { name = "base", default = 50, min = 0, max = 100, base = true,
      description = "score of an authority with every rating at 2" },
    { name = "w_commitment", default = 10, min = 0, max = 20, plausible = { 7.5, 12.5 },
      description = "points per rating point of political commitment above 2" },
    { name = "w_acceptance", default = 10, min = 0, max = 20, plausible = { 7.5, 12.5 },
      description = "points per rating point of acceptance above 2" },
    { name = "min_acceptance", default = 1, min = 0, max = 4, plausible = { 0.75, 1.25 },
      description = "acceptance below which the model is not viable" },
  },
  -- How each rating moves the score ("+" never lowers it, "-" never raises
  -- it, "0" no effect): check-model tests every one over generated profiles.
  directions = {
    political_commitment = "+", acceptance = "+", senior_leadership = "0",
    middle_leadership = "0", leadership_stability = "0", corporate_leadership = "0",
    governance = "0", partnerships = "0", self_assessment = "0", workforce_stability = "0",
    financial_resilience = "0", failure_extent = "0", initial_response = "0",
  },
  score = function(p, w)
    local commitment, acceptance = p.ratings.political_commitment, p.ratings.acceptance
    -- The base score is a reason of its own; each term adds its points and,
    -- when they show, a reason citing the research (imeval.base, imeval.term).
    -- In score-only calls (bulk draws) pass nil for reasons: nothing is built.
    local reasons = not p.score_only and {} or nil
    local s = imeval.base(reasons, w.base, "the model's starting score",
                          "003 ch.4: the choice of formal support")
    s = imeval.term(reasons, s, "ratings.political_commitment", w.w_commitment * (commitment - 2),
                    "members are committed to change", "members are not committed to change",
                    "003 ch.2: political and corporate commitment")
    s = imeval.term(reasons, s, "ratings.acceptance", w.w_acceptance * (acceptance - 2),
                    "leaders accept what went wrong", "leaders dispute the judgement",
                    "003 ch.1: full and frank acknowledgement comes first")

    local unmet = nil -- no list: nothing unmet
    if acceptance < w.min_acceptance then
      unmet = { "leaders do not yet accept the judgement" }
    end
    -- A score-only call needs only the score and what is unmet: two values,
    -- no result table to make in each of thousands of draws.
    if p.score_only then return imeval.clamp(s, 0, 100), unmet end

    local fair, good = imeval.journey(p) -- the baseline journey of report ch.1
    return {
      score = imeval.clamp(s, 0, 100),
      reasons = reasons,
      unmet_preconditions = unmet,
      timeline = { setup_months = 1, months_to_fair = fair, months_to_good = good },
    }
  end,
}
