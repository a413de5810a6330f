-- not_table.lua - the chunk returns a string, not a model table.
return "I am not a model"
