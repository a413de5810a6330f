-- loop.lua - never returns: the instruction budget must stop it.
return {
  id = "lua_loop", name = "Endless loop", version = "1.0.0",
  summary = "while true do end", evidence = "none",
  score = function(p, params)
    while true do end
  end,
}
