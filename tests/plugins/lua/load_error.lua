-- load_error.lua - raises while the chunk runs (line 3).
local config = nil
local weight = config.weight
return { id = "lua_load_error" }
