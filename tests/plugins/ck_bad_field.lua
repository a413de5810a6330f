-- ck_bad_field.lua - check-model fixture: a Lua model whose reason names
-- ratings.nonsense, which is not a profile field.
return {
  id = "ck_bad_field_lua", name = "check-model fixture", version = "1.0.0",
  summary = "names a field the profile does not have", evidence = "003 ch.1",
  parameters = {},
  directions = { acceptance = "0" },
  score = function(p)
    return { score = 50, reasons = { { fields = { "ratings.acceptance", "ratings.nonsense" },
      points = 0, text = "acceptance", evidence = "003 ch.1" } } }
  end,
}
