-- bad_result.lua - returns something wrong, chosen by the profile id, so
-- one script covers every check on what a Lua model hands back.
local huge = string.rep("x", 5000)
local cases = {
  nan = function() return { score = 0 / 0 } end,
  inf = function() return { score = math.huge } end,
  over = function() return { score = 100.5 } end,
  under = function() return -3 end,
  missing = function() return {} end,
  wrongtype = function() return { score = "50" } end,
  ["not-table"] = function() return "fifty" end,
  ["nil"] = function() return nil end,
  utf8 = function()
    return { score = 50, reasons = { { text = "caf\xe9", evidence = "e" } } }
  end,
  huge = function() return { score = 50, risks = { huge } } end,
  ["reasons-type"] = function() return { score = 50, reasons = 5 } end,
  ["reason-type"] = function() return { score = 50, reasons = { "just text" } } end,
  ["fields-type"] = function()
    return { score = 50, reasons = { { fields = { 1, 2 }, text = "t", evidence = "e" } } }
  end,
  ["risk-type"] = function() return { score = 50, risks = { 42 } } end,
  ["timeline-type"] = function() return { score = 50, timeline = { setup_months = "soon" } } end,
  ["many-risks"] = function()
    local r = {}
    for i = 1, 300 do r[i] = "risk " .. i end
    return { score = 50, risks = r }
  end,
  ["error-field"] = function() return { error = "no data for this council" } end,
  meta = function()
    return setmetatable({}, { __index = function() error("gotcha from __index") end })
  end,
  ["error-table"] = function() error({ code = 7 }) end,
  -- a second value follows only a number score, and is a text or a list of texts
  ["two-tables"] = function() return { score = 50 }, { "x" } end,
  ["unmet-type"] = function() return 50, 5 end,
  ["unmet-item"] = function() return 50, { 7 } end,
  ["unmet-text-utf8"] = function() return 50, "caf\xe9 closed" end,
  ["unmet-field-utf8"] = function() return { score = 50, unmet_preconditions = "caf\xe9 closed" } end,
  -- not wrong: one unmet precondition as a text alone, in either form
  ["unmet-text"] = function() return 50, "the council must accept the judgement" end,
  ["unmet-field-text"] = function()
    return { score = 50, unmet_preconditions = "the council must accept the judgement" }
  end,
}
return {
  id = "lua_bad_result", name = "Bad results", version = "1.0.0",
  summary = "misbehaves in its result, by profile id", evidence = "none",
  score = function(p, params)
    local f = cases[p.id]
    if f then return f() end
    return 55
  end,
}
