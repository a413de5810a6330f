-- jit_probe.lua - what a model can reach under the LuaJIT host
-- (tests/check_luajit.c).  Its score is how many forbidden names are
-- reachable, and its unmet preconditions name them ("at load: NAME" for
-- what the chunk saw while loading); it also scores the allowed names it
-- sees as fractions (0.001 each), so that a zero is not the probe failing
-- to look.
local forbidden = {
  "io", "os", "package", "require", "debug", "dofile", "loadfile", "load",
  "loadstring", "collectgarbage", "coroutine", "module", "newproxy",
  "string.dump", "math.random", "math.randomseed", "setfenv", "getfenv",
  "jit", "ffi", "bit", "gcinfo", "utf8", "jit.util", "jit.opt", "unpack",
}
local allowed = {
  "string.format", "string.rep", "table.concat", "table.sort", "math.floor",
  "math.sqrt", "pairs", "ipairs", "pcall", "error", "tostring", "tonumber",
  "type", "setmetatable", "select", "next", "imeval.term",
}

local function reach(name)
  local v = _G
  for part in string.gmatch(name, "[^.]+") do
    if type(v) ~= "table" then return nil end
    v = rawget(v, part)
  end
  return v
end

local function probe(found, prefix)
  for _, n in ipairs(forbidden) do
    if reach(n) ~= nil then found[#found + 1] = prefix .. n end
  end
  local smt = getmetatable("")
  if smt and type(smt.__index) == "table" and smt.__index.dump ~= nil then
    found[#found + 1] = prefix .. "string metatable .dump"
  end
  -- what p and params hold: plain Lua values only
  return found
end

local at_load = probe({}, "at load: ")

return {
  id = "lua_jit_probe", name = "LuaJIT sandbox probe", version = "1.0.0",
  summary = "lists what is reachable", evidence = "none",
  score = function(p, params)
    local found = probe({}, "")
    for _, n in ipairs(at_load) do found[#found + 1] = n end
    for k, v in next, p do
      local t = type(v)
      if t ~= "string" and t ~= "table" and t ~= "boolean" and t ~= "number" then
        found[#found + 1] = "p." .. tostring(k) .. " is a " .. t
      end
    end
    for k, v in next, p.ratings do
      if type(v) ~= "number" then found[#found + 1] = "p.ratings." .. k .. " not a number" end
    end
    local seen = 0
    for _, n in ipairs(allowed) do
      if reach(n) ~= nil then seen = seen + 1 end
    end
    return { score = #found + seen / 1000, unmet_preconditions = found }
  end,
}
