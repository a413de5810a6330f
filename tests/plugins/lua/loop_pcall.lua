-- loop_pcall.lua - an endless loop that catches the budget's error with
-- pcall and carries on: the budget must still stop it.
return {
  id = "lua_loop_pcall", name = "Endless loop under pcall", version = "1.0.0",
  summary = "while true do pcall(loop) end", evidence = "none",
  score = function(p, params)
    local function spin() while true do end end
    while true do
      pcall(spin)
    end
  end,
}
