-- index_error.lua - a model table whose every field comes from an __index
-- that raises.  Reading its score function at load used to be outside a
-- protected call: Lua's panic aborted imeval (SIGABRT, no message).
return setmetatable({}, {
  __index = function(_, k)
    error("no field " .. tostring(k) .. " here")
  end,
})
