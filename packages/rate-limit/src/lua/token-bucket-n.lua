--[[
Token bucket. Mirrors src/algorithms/token-bucket.ts step for step.

Rule j's bucket holds up to burst tokens and refills at limit per window; a check takes cost
tokens from every bucket or from none. Tokens are counted in 1/window-µs units, so refilling
is integer arithmetic (exact while burst * window in µs stays below 2^52).

KEYS[i]  one per check: "tokens at" per rule (tokens * window in µs, and when they were counted,
         in µs), as includes/number-state.lua reads and writes it; no state: every bucket full
]]
local capacity = {}
for j = 1, rules do
  capacity[j] = burst[j] * window[j]
end

local level = {}
for i = 1, #KEYS do
  local key, cost = KEYS[i], tonumber(ARGV[costs + i])
  local saved = readState(key, 2)
  local ok = true
  for j = 1, rules do
    local tokens = capacity[j]
    if saved then
      local elapsed = now - saved[2 * j]
      if elapsed < 0 then elapsed = 0 end
      tokens = math.min(capacity[j], saved[2 * j - 1] + elapsed * limit[j])
    end
    level[j] = tokens
    if tokens < cost * window[j] then ok = false end
  end

  n = n + 1
  out[n] = ok and 1 or 0
  local ttl = 0
  for j = 1, rules do
    local L, W = limit[j], window[j]
    local tokens, retry = level[j], 0
    if ok then
      tokens = tokens - cost * W
    elseif tokens < cost * W then
      retry = ceil((cost * W - tokens) / (1000 * L))
    end
    local reset = ceil((capacity[j] - tokens) / (1000 * L))
    if reset > ttl then ttl = reset end
    state[2 * j - 1], state[2 * j] = tokens, now
    out[n + 1] = floor(tokens / W)
    out[n + 2] = reset
    out[n + 3] = retry
    n = n + 3
  end
  if ok and cost > 0 then writeState(key, ttl) end
end
return out
