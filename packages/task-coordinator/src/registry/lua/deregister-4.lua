--[[
  Removes a worker session on a clean shutdown (its tasks were finished or handed back by the
  worker itself, so no recovery is needed).

  KEYS[1] live workers: sorted set, member = worker id, score = heartbeat deadline in ms
  KEYS[2] descriptions: hash, worker id -> JSON written by the client
  KEYS[3] server state: hash, worker id -> JSON {session, deadAfterMs, registeredAt, ...}
  KEYS[4] statuses: hash, worker id -> JSON status
  ARGV[1] worker id
  ARGV[2] session token of this registration

  Returns 1 removed, -1 the session was not registered any more (declared dead or removed)
]]
local id = ARGV[1]
if not redis.call('ZSCORE', KEYS[1], id) then
  return -1
end
local raw = redis.call('HGET', KEYS[3], id)
if not raw or cjson.decode(raw).session ~= ARGV[2] then
  return -1
end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
return 1
