-- syntax.lua - a syntax error on line 4.
return {
  id = "lua_syntax",
  name = "Syntax error" "oops",
}
