-- iso_lua_loop.lua - loops for ever on profiles whose id starts with
-- "bad" (tests/check_isolate.c runs it with no instruction budget, so only
-- the kill of its worker process can stop it); otherwise it scores as
-- tests/plugins/iso_common.h does: 10 points per point of acceptance.
return {
  id = "iso_lua_loop", name = "Isolation fixture (Lua)", version = "1.0.0",
  summary = "loops on profiles whose id starts with bad", evidence = "none",
  score = function(p, params)
    if p.id:sub(1, 3) == "bad" then
      while true do end
    end
    local acc = p.ratings.acceptance
    return { score = 10 * acc,
             reasons = { { fields = { "ratings.acceptance" }, points = 10 * acc,
                           text = "acceptance counts", evidence = "test fixture" } } }
  end,
}
