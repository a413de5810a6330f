-- rules_memo.lua - p.rules in the draws of one authority, where the host
-- reuses one profile table: it must hold the rule facts of the profile
-- being scored (the engine's, built with the table), never the last one's.
return {
  id = "rules_memo", name = "Rules memo probe", version = "1.0.0",
  summary = "scores what p.rules holds", evidence = "none",
  score = function(p)
    local ru = p.rules
    local s = 0.01 * #ru.regime + ru.persistent + ru.systemic / 10 + ru.n_key / 100
      + ru.commissioner_weight + #ru.trajectory / 1000 + p.ratings.acceptance / 4
    return { score = s }
  end,
}
