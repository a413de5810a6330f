1return { id = "fzb", name = "B", version = "1", summary = "s", evidence = "e",
  parameters = { { name = "w", default = 1, min = 0, max = 5, description = "d" } },
  score = function(p, params) return { score = 40 } end,
  score_batch = function(ps, params) local out = {} for i, p in ipairs(ps) do out[i] = { score = p.ratings.acceptance * params[i].w } end return out end }
