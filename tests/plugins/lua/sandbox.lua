-- sandbox.lua - reports what a model can reach.  For each name of the
-- forbidden list that is reachable, one risk "present: NAME"; for each
-- name of the allowed list, one reason "present: NAME", so the test can
-- tell that the probe itself works.  The same probe runs when the chunk
-- loads, and its findings are reported too (as "at load: NAME").
-- (print is allowed: it is imeval.log, shown only by --trace.)
local forbidden = {
  "io", "os", "package", "require", "debug", "dofile", "loadfile", "load",
  "loadstring", "collectgarbage", "coroutine", "module", "newproxy",
  "string.dump", "math.random", "math.randomseed", "setfenv", "getfenv",
}
local allowed = {
  "string.format", "string.rep", "table.concat", "table.sort", "math.floor",
  "math.sqrt", "utf8.char", "pairs", "ipairs", "pcall", "error", "tostring",
  "tonumber", "type", "setmetatable", "select", "next",
}

local function reach(name)
  local v = _G
  for part in string.gmatch(name, "[^.]+") do
    if type(v) ~= "table" then return nil end
    v = rawget(v, part)
  end
  return v
end

-- Other ways in: the string metatable, and _G under another name.
local function side_doors()
  local found = {}
  local smt = getmetatable("")
  if smt and type(smt.__index) == "table" and smt.__index.dump ~= nil then
    found[#found + 1] = "string metatable .dump"
  end
  if _ENV.io ~= nil or _G._G.os ~= nil then
    found[#found + 1] = "_ENV/_G.io or os"
  end
  return found
end

local at_load = {}
for _, n in ipairs(forbidden) do
  if reach(n) ~= nil then at_load[#at_load + 1] = n end
end

return {
  id = "lua_sandbox", name = "Sandbox probe", version = "1.0.0",
  summary = "lists what is reachable", evidence = "none",
  score = function(p, params)
    local risks, reasons = {}, {}
    for _, n in ipairs(forbidden) do
      if reach(n) ~= nil then risks[#risks + 1] = "present: " .. n end
    end
    for _, n in ipairs(side_doors()) do risks[#risks + 1] = "present: " .. n end
    for _, n in ipairs(at_load) do risks[#risks + 1] = "at load: " .. n end
    for _, n in ipairs(allowed) do
      if reach(n) ~= nil then
        reasons[#reasons + 1] = { fields = "", points = 0, text = "present: " .. n,
                                  evidence = "probe" }
      end
    end
    return { score = 50, risks = risks, reasons = reasons }
  end,
}
