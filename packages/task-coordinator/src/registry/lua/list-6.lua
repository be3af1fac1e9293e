--[[
  A consistent snapshot of a worker registry, with the server's clock.

  KEYS[1] live workers: sorted set, member = worker id, score = heartbeat deadline in ms
  KEYS[2] descriptions: hash, worker id -> JSON written by the client
  KEYS[3] server state: hash, worker id -> JSON {session, deadAfterMs, registeredAt, ...}
  KEYS[4] statuses: hash, worker id -> JSON status
  KEYS[5] workers being recovered: sorted set, member = worker id, score = claim expiry in ms
  KEYS[6] recovered (dead) workers: sorted set, member = worker id, score = recovery time in ms
  ARGV: none

  Returns {now, live, descriptions, states, statuses, recovering, recovered}: now in ms, the
  sorted sets as flat [member, score, ...] arrays and the hashes as flat [field, value, ...]
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return {
  now,
  redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'),
  redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]),
  redis.call('ZRANGE', KEYS[5], 0, -1, 'WITHSCORES'),
  redis.call('ZRANGE', KEYS[6], 0, -1, 'WITHSCORES')
}
