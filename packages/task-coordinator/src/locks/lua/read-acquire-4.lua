--[[
  Takes the read side of a writer-preferring read-write lock: many readers share it, but not
  while a writer holds it or waits for it (so a stream of readers never starves a writer).

  KEYS[1] readers: sorted set, member = reader token, score = lease expiry in ms (server time)
  KEYS[2] writer: string holding the writer's token, expiring with its lease
  KEYS[3] waiting writers: sorted set, member = writer token, score = expiry of its intent
  KEYS[4] the fencing counter of this name (INCR, never expires)
  ARGV[1] reader token (random, one per acquisition)
  ARGV[2] lease length in ms

  Returns {1, fence}        taken, with a new fencing token
          {-1, retryInMs}   a writer holds or waits; retryInMs = until that lease or intent ends
                            (-1: the writer key has no expiry)
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- A reader asking again with its own token (a retried command) keeps its place.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local writerTtl = redis.call('PTTL', KEYS[2])
  if writerTtl ~= -2 then
    return {-1, writerTtl}
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local waiting = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if waiting[1] then
    return {-1, tonumber(waiting[2]) - now}
  end
end

redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {1, redis.call('INCR', KEYS[4])}
