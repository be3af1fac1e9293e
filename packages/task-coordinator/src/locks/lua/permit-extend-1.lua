--[[
  Renews one lease of a sorted set of leases (a semaphore permit or a read lock), if it has
  not expired.

  KEYS[1] the leases: sorted set, member = token, score = lease expiry in ms (server time)
  ARGV[1] token
  ARGV[2] new lease length in ms, from now

  Returns 1 renewed, -1 the lease is gone or expired (it may already count as free)
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])

local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expires then
  return -1
end
if tonumber(expires) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return -1
end
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
