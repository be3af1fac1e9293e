--[[
Ready queues. Each worker type has one list per priority (ids, oldest first) and a sorted set
of the priorities that have a list (score = -priority, so ZRANGE 0 0 is the highest). A claim
is ZRANGE + LPOP: O(log P) for P distinct priorities, a few bytes per queued task.

A list entry is only a hint: a cancelled task keeps its entry and claim() skips entries whose
task is no longer ready (lazy deletion keeps cancel O(1)).
]]
local function pushReady(list, workerType, priority, ids, atHead)
  local length
  if atHead then
    length = redis.call('LPUSH', list, unpack(ids))
  else
    length = redis.call('RPUSH', list, unpack(ids))
  end
  if length == #ids then redis.call('ZADD', key(STEM.priorities, workerType), -priority, priority) end
  wakeUp(workerType)
end

-- Scripts that only add (add-tasks) collect new ready tasks per list and push them once
-- (flushPushes); the others push at once, since they may claim from the list afterwards.
local deferPushes, pendingPushes, pushOrder

local function beginQueue()
  deferPushes, pendingPushes, pushOrder = false, {}, {}
end

local function enqueue(id, meta, atHead)
  local list = key(STEM.queue, meta.w, meta.p)
  if deferPushes and not atHead then
    local pending = pendingPushes[list]
    if not pending then
      pending = { workerType = meta.w, priority = meta.p, ids = {} }
      pendingPushes[list] = pending
      pushOrder[#pushOrder + 1] = list
    end
    pending.ids[#pending.ids + 1] = id
  else
    pushReady(list, meta.w, meta.p, { id }, atHead)
  end
end

local function flushPushes()
  for _, list in ipairs(pushOrder) do
    local pending = pendingPushes[list]
    for first = 1, #pending.ids, 1000 do
      pushReady(list, pending.workerType, pending.priority, { unpack(pending.ids, first, math.min(first + 999, #pending.ids)) }, false)
    end
  end
  pendingPushes, pushOrder = {}, {}
end

-- A task whose parents all completed: ready now, or delayed until its run-at time.
-- Tasks that ran before (a retry, a release) go to the head of their priority's list.
local function makeRunnable(id, meta, kind, extra)
  if meta.r and tonumber(meta.r) > NOW then
    redis.call('ZADD', K.delayed, meta.r, id)
    setStatus(id, meta, DELAYED, kind, extra)
  else
    meta.r = nil
    setStatus(id, meta, READY, kind, extra)
    enqueue(id, meta, (meta.a or 0) > 0)
  end
end

-- Delayed tasks whose time has come become ready (at most `limit` per call).
local function promoteDue(limit)
  local due = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', NOW, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', K.delayed, id)
    local meta = load(id)
    if meta and meta.s == DELAYED then
      meta.r = nil
      setStatus(id, meta, READY, 'ready')
      enqueue(id, meta, (meta.a or 0) > 0)
    end
  end
  return #due
end

local function clearLease(id, meta)
  if meta.k then
    meta.k, meta.x, meta.W = nil, nil, nil
    zrem(K.leases, id)
  end
end

-- Takes a task out of whatever index its status puts it in (ready lists are lazy, see above).
local function unindex(id, meta)
  if meta.s == ACTIVE then clearLease(id, meta) end
  if meta.s == DELAYED then redis.call('ZREM', K.delayed, id) end
end
