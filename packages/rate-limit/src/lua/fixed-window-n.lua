--[[
Fixed window counter. Mirrors src/algorithms/fixed-window.ts.

Rule j counts units in windows aligned to the epoch: window index = floor(now / window); a
check fits while the window's count + cost <= limit.

KEYS[i]  one per check: "index count" per rule (the window's index and the units counted in
         it), as includes/number-state.lua reads and writes it
]]
-- The same for every check of this call: this window's index and the µs left in it.
local index, left, ttl = {}, {}, 0
for j = 1, rules do
  index[j] = floor(now / window[j])
  left[j] = (index[j] + 1) * window[j] - now
  if left[j] > ttl then ttl = left[j] end
end

local count = {}
for i = 1, #KEYS do
  local key, cost = KEYS[i], tonumber(ARGV[costs + i])
  local saved = readState(key, 2)
  local ok = true
  for j = 1, rules do
    count[j] = 0
    if saved and saved[2 * j - 1] == index[j] then count[j] = saved[2 * j] end
    if count[j] + cost > limit[j] then ok = false end
  end

  n = n + 1
  out[n] = ok and 1 or 0
  for j = 1, rules do
    local c, retry = count[j], 0
    if ok then
      c = c + cost
    elseif c + cost > limit[j] then
      retry = left[j]
    end
    state[2 * j - 1], state[2 * j] = index[j], c
    out[n + 1] = max(0, limit[j] - c)
    out[n + 2] = c > 0 and ceil(left[j] / 1000) or 0
    out[n + 3] = ceil(retry / 1000)
    n = n + 3
  end
  if ok and cost > 0 then writeState(key, ceil(ttl / 1000)) end
end
return out
