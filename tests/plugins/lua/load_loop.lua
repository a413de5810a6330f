-- load_loop.lua - never finishes loading: the budget applies at load too.
while true do end
