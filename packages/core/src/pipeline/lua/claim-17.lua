--[[
claim: atomically hands up to `count` ready tasks of one worker type to one worker, highest
priority first, oldest first within a priority; each gets a lease (token + expiry). Before
claiming it promotes due delayed tasks and recovers a few expired leases, so the pipeline
makes progress without a separate reaper.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] worker type
ARGV[19] count (>= 1)
ARGV[20] lease token
ARGV[21] worker id
ARGV[22] lease duration (ms)

Returns: { 0, more, nextDueAt, id, record, outOfLinePayload|nil, id, record, … }
  more      1 when the claim stopped early after skipping many stale entries (call again)
  nextDueAt earliest delayed task's time (ms) when fewer than `count` were claimed, else nil
]]
local workerType, wanted = ARGV[18], tonumber(ARGV[19])
local token, workerId, leaseMs = ARGV[20], ARGV[21], tonumber(ARGV[22])
local started = ',"workerId":' .. cjson.encode(workerId) -- the task:started events' own field

promoteDue(100)
recoverExpired(20)

local prioritiesKey = key(STEM.priorities, workerType)
local claimed, skipped, more = {}, 0, 0
while #claimed < wanted do
  local top = redis.call('ZRANGE', prioritiesKey, 0, 0)[1]
  if not top then break end
  local list = key(STEM.queue, workerType, top)
  local ids = redis.call('LPOP', list, wanted - #claimed)
  if ids then
    preload(ids)
    for _, id in ipairs(ids) do
      local meta = load(id)
      if meta and meta.s == READY then
        meta.a = (meta.a or 0) + 1
        meta.t, meta.k, meta.x, meta.W, meta.g = integerText(NOW), token, integerText(NOW + leaseMs), workerId, nil
        zadd(K.leases, meta.x, id)
        setStatus(id, meta, ACTIVE, 'started', started)
        claimed[#claimed + 1] = id
      else
        skipped = skipped + 1
      end
    end
  end
  if redis.call('LLEN', list) == 0 then redis.call('ZREM', prioritiesKey, top) end
  if skipped >= 1000 then
    more = 1
    break
  end
end

flush()
flushWakeUps()

local nextDueAt = false
if #claimed < wanted then
  local first = redis.call('ZRANGE', K.delayed, 0, 0, 'WITHSCORES')
  if first[2] then nextDueAt = tonumber(first[2]) end
end
local reply = { 0, more, nextDueAt }
for _, id in ipairs(claimed) do
  reply[#reply + 1] = id
  reply[#reply + 1] = cache[id].written
  reply[#reply + 1] = cache[id].meta.D and redis.call('HGET', K.payloads, id) or false
end
return reply
