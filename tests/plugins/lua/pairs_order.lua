-- pairs_order.lua - lists the keys pairs() gives, mixed types included, so
-- that the test can check the order is sorted and the same in every state.
return {
  id = "pairs_order", name = "pairs order probe", version = "1.0.0",
  summary = "reports the order of pairs()", evidence = "test fixture",
  score = function(p)
    local t = { zeta = 1, alpha = 2, [3] = "c", [1] = "a", [2.5] = "b", [true] = 1 }
    for k in pairs(p.ratings) do t[k] = 0 end
    local out = {}
    for k in pairs(t) do out[#out + 1] = tostring(k) end
    return { score = 1, reasons = { { fields = "ratings", points = 0,
             text = table.concat(out, " "), evidence = "test" } } }
  end,
}
