--[[
Sliding window counter (two weighted fixed windows). Mirrors src/algorithms/sliding-window.ts
(same formulas, same order of floating-point operations).

Rule j's estimate of the trailing window = the previous window's count * the share of it still
inside the trailing window + the current window's count; a check fits while estimate + cost
<= limit.

KEYS[i]  one per check: "index current previous" per rule (the current window's index, its
         count, the previous window's count), as includes/number-state.lua reads and writes it
]]
-- The same for every check of this call: the current window's index and the µs elapsed in it.
local index, elapsed, ttl = {}, {}, 0
for j = 1, rules do
  index[j] = floor(now / window[j])
  elapsed[j] = now - index[j] * window[j]
  if 2 * window[j] - elapsed[j] > ttl then ttl = 2 * window[j] - elapsed[j] end
end

local current, previous, weighted = {}, {}, {}
for i = 1, #KEYS do
  local key, cost = KEYS[i], tonumber(ARGV[costs + i])
  local saved = readState(key, 3)
  local ok = true
  for j = 1, rules do
    local W, c, p = window[j], 0, 0
    if saved and saved[3 * j - 2] == index[j] then
      c, p = saved[3 * j - 1], saved[3 * j]
    elseif saved and saved[3 * j - 2] == index[j] - 1 then
      p = saved[3 * j - 1]
    end
    current[j], previous[j] = c, p
    weighted[j] = p * (W - elapsed[j]) / W
    if weighted[j] + c + cost > limit[j] then ok = false end
  end

  n = n + 1
  out[n] = ok and 1 or 0
  for j = 1, rules do
    local W, e, p, L = window[j], elapsed[j], previous[j], limit[j]
    local c, retry = current[j], 0
    if ok then
      c = c + cost
    elseif weighted[j] + c + cost > L then
      local room = L - c - cost
      if room >= 0 then
        -- Fits in this window once enough of the previous one has slid out.
        retry = W - e - room * W / p
      else
        -- Fits only in the next window, once enough of this one has slid out.
        retry = W - e + max(0, W - (L - cost) * W / c)
      end
    end
    local reset = 0
    if c > 0 then reset = 2 * W - e elseif p > 0 then reset = W - e end
    state[3 * j - 2], state[3 * j - 1], state[3 * j] = index[j], c, p
    out[n + 1] = max(0, floor(L - weighted[j] - c + 1e-9))
    out[n + 2] = ceil(reset / 1000)
    out[n + 3] = ceil(retry / 1000)
    n = n + 3
  end
  if ok and cost > 0 then writeState(key, ceil(ttl / 1000)) end
end
return out
