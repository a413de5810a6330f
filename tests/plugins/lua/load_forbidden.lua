-- load_forbidden.lua - tries to use io at load time.
local f = io.open("/etc/passwd")
return { id = "lua_load_forbidden" }
