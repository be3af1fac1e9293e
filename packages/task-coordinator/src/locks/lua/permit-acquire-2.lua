--[[
  Takes one permit of a counting semaphore. Each permit is a lease: a member of a sorted set
  scored by its expiry (server time, ms); expired permits are reclaimed first.

  KEYS[1] the permits: sorted set, member = permit token, score = lease expiry in ms
  KEYS[2] the fencing counter of this name (INCR, never expires)
  ARGV[1] permit token (random, one per acquisition)
  ARGV[2] lease length in ms
  ARGV[3] number of permits of the semaphore

  Returns {1, fence}        taken, with a new fencing token
          {-1, retryInMs}   every permit is leased; retryInMs = until the earliest lease expires
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- A free permit first (one ZCARD); the token's own lease (a retried command) only when full.
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) or redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  -- The set lives as long as its longest lease, so abandoned names do not stay in memory.
  if redis.call('PTTL', KEYS[1]) < ttl then
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
  return {1, redis.call('INCR', KEYS[2])}
end
local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {-1, tonumber(earliest[2]) - now}
