--[[
GCRA (generic cell rate algorithm). Mirrors src/algorithms/gcra.ts step for step.

Each unit of cost advances a rule's theoretical arrival time (TAT) by period = window / limit;
a check fits when every rule's TAT, advanced by the cost, is at most burst * period ahead of
now. The TAT is kept as a mixed fraction q + r / limit µs, so all arithmetic is on integers
(exact while burst * window in µs stays below 2^52).

KEYS[i]  one per check: "q r" per rule (q: whole µs of the TAT, r: its remainder in 1/limit µs),
         as includes/number-state.lua reads and writes it
]]
local q, r, excess = {}, {}, {}
for i = 1, #KEYS do
  local key, cost = KEYS[i], tonumber(ARGV[costs + i])
  local saved = readState(key, 2)
  local ok = true
  for j = 1, rules do
    q[j], r[j] = now, 0
    -- A TAT in the past means an idle rule: it starts again from now.
    if saved and saved[2 * j - 1] >= now then q[j], r[j] = saved[2 * j - 1], saved[2 * j] end
    -- (admission time - now) * limit: > 0 means too early.
    excess[j] = (q[j] - now) * limit[j] + r[j] + (cost - burst[j]) * window[j]
    if excess[j] > 0 then ok = false end
  end

  n = n + 1
  out[n] = ok and 1 or 0
  local ttl = 0
  for j = 1, rules do
    local L, W = limit[j], window[j]
    local tq, tr, retry = q[j], r[j], 0
    if ok then
      local total = tr + cost * W
      local whole = floor(total / L)
      tq, tr = tq + whole, total - whole * L
    elseif excess[j] > 0 then
      retry = ceil(excess[j] / (1000 * L))
    end
    local ahead = (tq - now) * L + tr -- (TAT - now) * limit
    local reset = ceil(ahead / (1000 * L))
    if reset > ttl then ttl = reset end
    state[2 * j - 1], state[2 * j] = tq, tr
    out[n + 1] = max(0, floor((burst[j] * W - ahead) / W))
    out[n + 2] = reset
    out[n + 3] = retry
    n = n + 3
  end
  if ok and cost > 0 then writeState(key, ttl) end
end
return out
