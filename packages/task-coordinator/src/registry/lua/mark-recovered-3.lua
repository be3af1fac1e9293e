--[[
  Confirms that a claimed dead worker was recovered (its tasks handed back): it moves to the
  recovered set, where it stays listed for the retention period.

  KEYS[1] workers being recovered: sorted set, member = worker id, score = claim expiry in ms
  KEYS[2] recovered (dead) workers: sorted set, member = worker id, score = recovery time in ms
  KEYS[3] server state: hash, worker id -> JSON {session, deadAfterMs, registeredAt, ...}
  ARGV[1] worker id

  Returns 1 confirmed, -1 the worker was not being recovered (already confirmed elsewhere)
]]
local id = ARGV[1]
if redis.call('ZREM', KEYS[1], id) == 0 then
  return -1
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local raw = redis.call('HGET', KEYS[3], id)
if raw then
  local state = cjson.decode(raw)
  state.recoveredAt = now
  redis.call('HSET', KEYS[3], id, cjson.encode(state))
end
redis.call('ZADD', KEYS[2], now, id)
return 1
