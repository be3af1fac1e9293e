--[[
Sliding log. Exact: remembers the time of every admitted unit within the longest window
(memory grows with the limit). Mirrors src/algorithms/sliding-log.ts.

A unit admitted at t counts under rule j while t > now - window_j; a check fits while the units
in the window + cost <= limit.

KEYS[i]  one per check: a sorted set, one member per admitted unit ("<t>-<n>"), score t (µs)
]]
-- Scores compare as numbers; the exclusive bounds "(t" must be strings, made once.
local after, longest = {}, 0
for j = 1, rules do
  after[j] = '(' .. string.format('%.17g', now - window[j])
  if window[j] > longest then longest = window[j] end
end
local stamp = string.format('%.17g', now)

local count = {}
for i = 1, #KEYS do
  local key, cost = KEYS[i], tonumber(ARGV[costs + i])
  -- Entries older than the longest window count nowhere.
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longest)
  local ok = true
  for j = 1, rules do
    count[j] = redis.call('ZCOUNT', key, after[j], '+inf')
    if count[j] + cost > limit[j] then ok = false end
  end

  local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  local newest = tonumber(top[2]) or 0
  local write = ok and cost > 0
  if write then
    -- Members must be unique: the count after trimming numbers them within this microsecond.
    local card = redis.call('ZCARD', key)
    local batch = {}
    for u = 1, cost do
      batch[#batch + 1] = now
      batch[#batch + 1] = stamp .. '-' .. (card + u)
      if #batch >= 2000 or u == cost then
        redis.call('ZADD', key, unpack(batch))
        batch = {}
      end
    end
    if now > newest then newest = now end
    redis.call('PEXPIRE', key, max(1, ceil((newest + longest - now) / 1000)))
  end

  n = n + 1
  out[n] = ok and 1 or 0
  for j = 1, rules do
    local units, retry = count[j], 0
    if write then units = units + cost end
    if not ok and count[j] + cost > limit[j] then
      -- Fits once the k oldest entries still in this window have left it.
      local k = count[j] + cost - limit[j]
      local entry =
        redis.call('ZRANGEBYSCORE', key, after[j], '+inf', 'WITHSCORES', 'LIMIT', k - 1, 1)
      retry = tonumber(entry[2]) + window[j] - now
    end
    out[n + 1] = max(0, limit[j] - units)
    out[n + 2] = units > 0 and ceil((newest + window[j] - now) / 1000) or 0
    out[n + 3] = ceil(retry / 1000)
    n = n + 3
  end
end
return out
