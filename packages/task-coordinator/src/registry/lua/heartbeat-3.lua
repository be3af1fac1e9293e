--[[
  A worker's heartbeat: pushes its deadline forward and stores its latest status. A worker
  that missed its deadline but was not yet declared dead by a sweeper is simply alive again.

  KEYS[1] live workers: sorted set, member = worker id, score = heartbeat deadline in ms
  KEYS[2] server state: hash, worker id -> JSON {session, deadAfterMs, registeredAt, ...}
  KEYS[3] statuses: hash, worker id -> JSON status the worker sends with its heartbeats
  ARGV[1] worker id
  ARGV[2] session token of this registration
  ARGV[3] status JSON ('' to keep the last one)

  Returns now (server time in ms) when recorded,
          -1 the session is no longer registered: it was declared dead (its tasks may have
             been handed to others) or deregistered
]]
local id = ARGV[1]
if not redis.call('ZSCORE', KEYS[1], id) then
  return -1
end
local raw = redis.call('HGET', KEYS[2], id)
if not raw then
  return -1
end
local state = cjson.decode(raw)
if state.session ~= ARGV[2] then
  return -1
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(state.deadAfterMs), id)
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], id, ARGV[3])
end
return now
