-- no_score.lua - the model table has no score function.
return { id = "lua_no_score", name = "No score", version = "1.0.0",
         summary = "s", evidence = "e" }
