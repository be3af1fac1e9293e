--[[
  Counts the unexpired leases of a sorted set of leases (semaphore permits, read locks).

  KEYS[1] the leases: sorted set, member = token, score = lease expiry in ms (server time)
  ARGV: none

  Returns the number of leases that have not expired
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
