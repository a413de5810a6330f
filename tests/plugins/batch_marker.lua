-- batch_marker.lua - the Lua twin of batch_marker.c: a single call scores
-- 41, the batch path 61, so tests see which path the engine took.
return {
  id = "batch_marker_lua", name = "Batch path marker (Lua)", version = "1.0.0",
  summary = "41 from a single call, 61 from the batch path", evidence = "none (test)",
  score = function(p, w) return { score = 41 } end,
  score_batch = function(ps, ws)
    local out = {}
    for i = 1, #ps do
      assert(ps[i].ratings.acceptance, "every p has its ratings")
      out[i] = { score = 61 }
    end
    return out
  end,
}
