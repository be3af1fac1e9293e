--[[
  Claims dead workers for recovery: workers past their heartbeat deadline, and workers whose
  earlier recovery was claimed but not confirmed in time (the sweeper that claimed them died).
  A claimed worker leaves the live set, so its heartbeats are refused from now on. Also forgets
  workers recovered longer ago than the retention.

  KEYS[1] live workers: sorted set, member = worker id, score = heartbeat deadline in ms
  KEYS[2] descriptions: hash, worker id -> JSON written by the client
  KEYS[3] server state: hash, worker id -> JSON {session, deadAfterMs, registeredAt, ...}
  KEYS[4] statuses: hash, worker id -> JSON status
  KEYS[5] workers being recovered: sorted set, member = worker id, score = claim expiry in ms
  KEYS[6] recovered (dead) workers: sorted set, member = worker id, score = recovery time in ms
  ARGV[1] most workers to claim
  ARGV[2] claim length in ms (after it, another sweep may claim the worker again)
  ARGV[3] how long recovered workers stay listed, in ms

  Returns {now, id1, description1, state1, status1, id2, ...}: the server time and, per
  claimed worker, its id, description JSON, state JSON (with diedAt, lastHeartbeatAt and
  recoveryAttempts) and last status JSON ('' when none)
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[1])
local claimUntil = now + tonumber(ARGV[2])

local forgotten = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 100)
for _, id in ipairs(forgotten) do
  redis.call('ZREM', KEYS[6], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
end

local out = {now}
local function claim(id, state)
  state.recoveryAttempts = (tonumber(state.recoveryAttempts) or 0) + 1
  local encoded = cjson.encode(state)
  redis.call('HSET', KEYS[3], id, encoded)
  redis.call('ZADD', KEYS[5], claimUntil, id)
  table.insert(out, id)
  table.insert(out, redis.call('HGET', KEYS[2], id) or '{}')
  table.insert(out, encoded)
  table.insert(out, redis.call('HGET', KEYS[4], id) or '')
end
local function stateOf(id)
  local raw = redis.call('HGET', KEYS[3], id)
  if raw then
    return cjson.decode(raw)
  end
  return {}
end

local retried = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(retried) do
  claim(id, stateOf(id))
end

local room = limit - #retried
if room > 0 then
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'WITHSCORES', 'LIMIT', 0, room)
  for i = 1, #dead, 2 do
    local id = dead[i]
    local deadline = tonumber(dead[i + 1])
    local state = stateOf(id)
    state.diedAt = deadline
    state.lastHeartbeatAt = deadline - (tonumber(state.deadAfterMs) or 0)
    redis.call('ZREM', KEYS[1], id)
    claim(id, state)
  end
end
return out
