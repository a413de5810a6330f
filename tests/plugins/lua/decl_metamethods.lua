-- decl_metamethods.lua - parameter names and descriptions made by __index
-- metamethods, so that nothing but the host keeps them alive, with garbage
-- made between them so that the collector runs.  The host used to pop
-- them before the engine copied them (a heap use after free).
local function churn()
  local t = {}
  for i = 1, 3000 do t[i] = { i, tostring(i) .. "-garbage-" .. string.rep("g", 40) } end
end
local function param(i)
  return setmetatable({ default = i, min = 0, max = 100 }, {
    __index = function(_, k)
      churn()
      if k == "name" then return "weight_" .. i .. "_" .. string.rep("n", 40) end
      if k == "description" then return "the weight of item " .. i .. " " .. string.rep("d", 60) end
    end,
  })
end
local parameters = {}
for i = 1, 12 do parameters[i] = param(i) end
return {
  id = "lua_decl_mm", name = "Declaration from metamethods", version = "1.0.0",
  summary = "parameter strings made on the fly", evidence = "none (test)",
  parameters = parameters,
  score = function(p, params) return 10 end,
}
