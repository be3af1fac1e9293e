--[[
  Takes the write side of a writer-preferring read-write lock: only when no reader and no other
  writer holds it. A writer that has to wait records its intent, which keeps new readers out
  until it got its turn (or the intent expired because it stopped asking).

  KEYS[1] readers: sorted set, member = reader token, score = lease expiry in ms (server time)
  KEYS[2] writer: string holding the writer's token, expiring with its lease
  KEYS[3] waiting writers: sorted set, member = writer token, score = expiry of its intent
  KEYS[4] the fencing counter of this name (INCR, never expires)
  ARGV[1] writer token (random, one per acquisition)
  ARGV[2] lease length in ms
  ARGV[3] how long the intent to write lasts without being renewed, in ms

  Returns {1, fence}        taken, with a new fencing token
          {-1, retryInMs}   held; retryInMs = until the writer's lease or the earliest reader lease
                            ends (-1: the writer key has no expiry)
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local retry = nil
local writer = redis.call('GET', KEYS[2])
if writer and writer ~= ARGV[1] then
  retry = redis.call('PTTL', KEYS[2])
else
  local reader = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if reader[1] then
    retry = tonumber(reader[2]) - now
  end
end

if retry then
  local intentTtl = tonumber(ARGV[3])
  redis.call('ZADD', KEYS[3], now + intentTtl, ARGV[1])
  if redis.call('PTTL', KEYS[3]) < intentTtl then
    redis.call('PEXPIRE', KEYS[3], intentTtl)
  end
  return {-1, retry}
end

redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {1, redis.call('INCR', KEYS[4])}
