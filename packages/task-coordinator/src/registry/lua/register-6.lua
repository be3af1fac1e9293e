--[[
  Registers a worker session: its static description, its server-side state and its first
  heartbeat. An id that is still registered (alive, or dead and awaiting recovery) is refused:
  reusing it would hide the old session's tasks from recovery.

  KEYS[1] live workers: sorted set, member = worker id, score = heartbeat deadline in ms
  KEYS[2] descriptions: hash, worker id -> JSON written by the client (never parsed here)
  KEYS[3] server state: hash, worker id -> JSON {session, deadAfterMs, registeredAt, ...}
  KEYS[4] statuses: hash, worker id -> JSON status the worker sends with its heartbeats
  KEYS[5] workers being recovered: sorted set, member = worker id, score = claim expiry in ms
  KEYS[6] recovered (dead) workers: sorted set, member = worker id, score = recovery time in ms
  ARGV[1] worker id
  ARGV[2] session token (random, one per registration)
  ARGV[3] description JSON
  ARGV[4] ms without a heartbeat after which the worker counts as dead
  ARGV[5] initial status JSON ('' for none)

  Returns {1, now}         registered; now = server time in ms
          {-1, state}      the id is taken; state = 'alive' or 'recovering'
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]

if redis.call('ZSCORE', KEYS[1], id) then
  return {-1, 'alive'}
end
if redis.call('ZSCORE', KEYS[5], id) then
  return {-1, 'recovering'}
end

local deadAfter = tonumber(ARGV[4])
redis.call('ZREM', KEYS[6], id)
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('HSET', KEYS[3], id, cjson.encode({
  session = ARGV[2], deadAfterMs = deadAfter, registeredAt = now, lastHeartbeatAt = now
}))
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[4], id, ARGV[5])
else
  redis.call('HDEL', KEYS[4], id)
end
redis.call('ZADD', KEYS[1], now + deadAfter, id)
return {1, now}
