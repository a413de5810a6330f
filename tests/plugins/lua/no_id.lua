-- no_id.lua - the model table has no id.
return { name = "No id", version = "1.0.0", summary = "s", evidence = "e",
         score = function() return 1 end }
