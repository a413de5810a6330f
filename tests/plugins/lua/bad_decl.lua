-- bad_decl.lua - a parameter whose default is outside its range.
return {
  id = "lua_bad_decl", name = "Bad declaration", version = "1.0.0",
  summary = "bad parameter", evidence = "none",
  parameters = { { name = "w", default = 9, min = 0, max = 1, description = "d" } },
  score = function(p, params) return 1 end,
}
