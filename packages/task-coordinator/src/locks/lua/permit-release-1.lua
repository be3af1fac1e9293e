--[[
  Gives back one lease of a sorted set of leases (a semaphore permit or a read lock) and wakes
  the waiters.

  KEYS[1] the leases: sorted set, member = token, score = lease expiry in ms (server time)
  ARGV[1] token
  ARGV[2] pub/sub channel the waiters of this name listen on

  Returns 1 released, -1 the lease was already gone or had expired
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expires then
  return -1
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], 'released')
if tonumber(expires) <= now then
  return -1
end
return 1
