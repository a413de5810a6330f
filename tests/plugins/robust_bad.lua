-- robust_bad.lua - a Lua model that hands back one kind of bad result,
-- chosen by its parameter `mode`, for tests/check_robust.c: whatever a
-- script returns is checked and becomes that model's error.  Mode 0 is good.
local function reason(text, points)
  return { fields = { "ratings.acceptance" }, points = points or 1, text = text, evidence = "x" }
end

local modes = {
  [0] = function() return { score = 60, reasons = { reason("a good reason", 10) },
                            timeline = { setup_months = 3, months_to_fair = 20, months_to_good = 40 } } end,
  [1] = function() return { score = 0 / 0 } end,
  [2] = function() return { score = 150 } end,
  [3] = function() return { score = -1 } end,
  [4] = function() return { score = math.huge } end,
  [5] = function() return { score = 60, reasons = { reason("caf\xC3 \xFF invalid") } } end,
  [6] = function() return { score = 60, reasons = { reason(string.rep("x", 1000000)) } } end,
  [7] = function()
    local t = {}
    for i = 1, 5000 do t[i] = reason("one of thousands", 0.01) end
    return { score = 60, reasons = t }
  end,
  [8] = function() return { reasons = { reason("no score") } } end,
  [9] = function() return { score = 60, reasons = { reason("NaN points", 0 / 0) } } end,
  [10] = function() return { score = 60, timeline = { setup_months = 0 / 0 } } end,
  [11] = function() return { score = 60, timeline = { months_to_fair = -20 } } end,
  [12] = function() return { score = "sixty" } end,
  [13] = function() return { score = 60, reasons = 5 } end,
  [14] = function() return { score = 60, reasons = { { fields = { 1, 2 }, text = "t" } } } end,
  [15] = function() return nil end,
  [16] = function() return "sixty" end,
  [17] = function() error("model gave up on purpose") end,
  [18] = function() return { error = "refused: \xFF not UTF-8" } end,
  [19] = function() return { score = 60, risks = { string.rep("r", 1500), 42 } } end,
  [20] = function() return { score = 60, partner = { id = "partner-1", fit = 0 / 0 } } end,
  [21] = function()
    -- Strings made by __index, and enough garbage in between for the
    -- collector to run: the host must keep them alive while it copies.
    local mt = { __index = function(_, k)
      if k == "text" then return string.rep("t", 200) .. k end
      if k == "evidence" then
        local junk = {}
        for i = 1, 200000 do junk[i] = { i } end
        return "evidence made late"
      end
    end }
    return { score = 60, reasons = { setmetatable({ fields = "ratings.acceptance", points = 1 }, mt) } }
  end,
  [22] = function() return { score = 60, reasons = { reason(nil) } } end,
}

return {
  id = "robust_bad_lua",
  name = "Robustness fixture (Lua)",
  version = "1.0.0",
  summary = "returns one kind of bad result, chosen by mode",
  evidence = "none",
  parameters = {
    { name = "mode", default = 0, min = 0, max = 22, description = "which bad result" },
  },
  score = function(p, params)
    return modes[math.tointeger(params.mode)]()
  end,
}
