--[[
Failed attempts. A failed attempt is logged; while attempts remain the task backs off
(exponential, with jitter) and runs again; then it fails for good: dead-letter set, and its
descendants are cancelled.
]]
local function logError(id, meta, message)
  local raw = redis.call('HGET', K.errorLog, id)
  local log = raw and cjson.decode(raw) or {}
  log[#log + 1] = { attempt = meta.a or 0, error = message, workerId = meta.W, at = NOW }
  while #log > ERROR_HISTORY do table.remove(log, 1) end
  redis.call('HSET', K.errorLog, id, cjson.encode(log))
end

-- Equal jitter: half the exponential delay is fixed, the other half random.
local function backoffDelay(meta)
  local delay = (meta.B or BACKOFF_BASE_MS) * 2 ^ math.max((meta.a or 1) - 1, 0)
  if delay > BACKOFF_MAX_MS then delay = BACKOFF_MAX_MS end
  return math.floor(delay / 2 + random() * delay / 2)
end

local function failForGood(id, meta, message)
  unindex(id, meta)
  meta.E = message
  zadd(K.dead, NOW, id)
  countThroughput('f')
  setStatus(id, meta, FAILED, 'failed', { error = message })
  return cascadeCancel(id, 'parent ' .. id .. ' failed')
end

-- One attempt of an active task failed. `retryNow` skips the backoff (a lost lease: the task
-- did not fail by itself). Returns 'retrying' or 'failed'.
local function failAttempt(id, meta, message, retryable, retryNow)
  logError(id, meta, message)
  if not retryable or (meta.a or 0) >= meta.m then
    failForGood(id, meta, message)
    return 'failed'
  end
  unindex(id, meta)
  meta.E = message
  if retryNow then
    setStatus(id, meta, READY, 'retrying', { error = message })
    enqueue(id, meta, true)
  else
    local delay = backoffDelay(meta)
    meta.r = integerText(NOW + delay)
    redis.call('ZADD', K.delayed, meta.r, id)
    setStatus(id, meta, DELAYED, 'retrying', { error = message, retryInMs = delay })
  end
  return 'retrying'
end

-- An attempt lost with its worker (lease expired, worker declared dead): counted as a stall
-- too; one stall more than the task allows fails it for good, whatever attempts remain.
local function stallAttempt(id, meta, message)
  meta.l = (meta.l or 0) + 1
  if meta.L and meta.l > meta.L then
    local reason = 'stalled ' .. string.format('%d', meta.l) .. ' times (' .. string.format('%d', meta.L) .. ' allowed): ' .. message
    return failAttempt(id, meta, reason, false, true)
  end
  return failAttempt(id, meta, message, true, true)
end

-- Active tasks whose lease expired go back to ready (the attempt counts), or fail for good.
-- Returns how many were recovered and how many index entries were looked at.
local function recoverExpired(limit)
  local expired = redis.call('ZRANGEBYSCORE', K.leases, '-inf', NOW, 'LIMIT', 0, limit)
  local recovered = 0
  for _, id in ipairs(expired) do
    local meta = load(id)
    if meta and meta.s == ACTIVE and tonumber(meta.x) <= NOW then
      stallAttempt(id, meta, 'lease expired (worker ' .. tostring(meta.W) .. ')')
      recovered = recovered + 1
    else
      zrem(K.leases, id)
    end
  end
  return recovered, #expired
end

