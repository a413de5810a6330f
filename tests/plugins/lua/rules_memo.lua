-- rules_memo.lua - imeval.rules in the draws of one authority, where the
-- host remembers the rules of the profile table it reuses: the table
-- returned must still be a fresh one each call (a change a call makes is
-- not seen by the next) and must hold what computing it gives.
return {
  id = "rules_memo", name = "Rules memo probe", version = "1.0.0",
  summary = "scores what imeval.rules returns", evidence = "none",
  score = function(p)
    local ru = imeval.rules(p, "rules_memo", 24)
    local seen = ru.seen or 0          -- 0 unless the table was kept
    local s = 1000 * seen + 0.001 * #ru.why + 0.01 * #ru.regime + ru.persistent
      + ru.systemic / 10 + ru.n_key / 100 + ru.commissioner_weight + #ru.trajectory / 1000
      + p.ratings.acceptance / 4
    ru.seen = 1
    ru.persistent = 7                  -- must not reach the next call
    return { score = s }
  end,
}
