--[[
Status changes. setStatus() is the one place a task's status changes: it keeps the counters
(pipeline, batch, file) exact, derives file and batch completion, keeps the finished index
for cleanup, and publishes the event.
]]
local FILE_FINAL = { completed = true, failed = true, cancelled = true }

-- Counter field names, built once per status and worker type.
local countFields
local function countTask(meta, status, by)
  local byType = countFields[status]
  if not byType then
    byType = {}
    countFields[status] = byType
  end
  local field = byType[meta.w]
  if not field then
    field = 't:' .. STATUS[status] .. ':' .. meta.w
    byType[meta.w] = field
  end
  incrLater(K.counts, field, by)
  if meta.b then incrLater(key(STEM.batch, meta.b), 't:' .. STATUS[status], by) end
end

-- A file's status changes: counters, event. `extra` fields (error, progress) are stored too.
-- Returns false when the status was already `status` (the extra fields are stored anyway).
local fileStatus

-- A file's status, read once per script (setFileStatus keeps it current).
local function currentFileStatus(fileId)
  local status = fileStatus[fileId]
  if status == nil then
    status = redis.call('HGET', key(STEM.file, fileId), 'status')
    fileStatus[fileId] = status
  end
  return status
end

local function setFileStatus(fileId, status, extra)
  fileStatus[fileId] = status
  local fileKey = key(STEM.file, fileId)
  local current = redis.call('HMGET', fileKey, 'status', 'batchId')
  local old, batchId = current[1], current[2]
  local fields = { 'status', status, 'updatedAt', NOW }
  if extra then
    for k, v in pairs(extra) do
      fields[#fields + 1] = k
      fields[#fields + 1] = v
    end
  end
  redis.call('HSET', fileKey, unpack(fields))
  if old == status then return false end
  count('f:' .. old, -1)
  count('f:' .. status, 1)
  local batchKey = key(STEM.batch, batchId)
  incrLater(batchKey, 'f:' .. old, -1)
  incrLater(batchKey, 'f:' .. status, 1)
  local event = { type = 'file:' .. status, fileId = fileId, batchId = batchId, status = status }
  if extra then event.error = extra.error end
  emit(event)
  return true
end

-- A task of the file opened (created, or revived by a retry).
local function fileTaskOpened(meta, isNew, from)
  local fileKey = key(STEM.file, meta.f)
  if isNew then incrLater(fileKey, 'tasks', 1) end
  if from == FAILED then redis.call('HINCRBY', fileKey, 'failed', -1) end
  if from == CANCELLED then redis.call('HINCRBY', fileKey, 'cancelled', -1) end
  incrLater(fileKey, 'open', 1)
  if FILE_FINAL[currentFileStatus(meta.f)] then setFileStatus(meta.f, 'pending') end
end

-- A task of the file ended; the file ends with its last open task.
local function fileTaskClosed(meta, to)
  local fileKey = key(STEM.file, meta.f)
  if to == FAILED then redis.call('HINCRBY', fileKey, 'failed', 1) end
  if to == CANCELLED then redis.call('HINCRBY', fileKey, 'cancelled', 1) end
  if redis.call('HINCRBY', fileKey, 'open', -1) + pendingDelta(fileKey, 'open') > 0 then return end
  local c = redis.call('HMGET', fileKey, 'failed', 'cancelled')
  local status = 'completed'
  if tonumber(c[1]) > 0 then
    status = 'failed'
  elseif tonumber(c[2]) > 0 then
    status = 'cancelled'
  end
  setFileStatus(meta.f, status)
end

-- Whether a batch is done, read once per script (kept current by the two functions below).
local batchDone

local function batchTaskOpened(meta, isNew)
  local batchKey = key(STEM.batch, meta.b)
  if isNew then incrLater(batchKey, 'tasks', 1) end
  incrLater(batchKey, 'open', 1)
  if batchDone[meta.b] == nil then batchDone[meta.b] = redis.call('HGET', batchKey, 'done') == '1' end
  if batchDone[meta.b] then
    batchDone[meta.b] = false
    redis.call('HSET', batchKey, 'done', 0)
    redis.call('HDEL', batchKey, 'doneAt')
    redis.call('ZREM', K.expiring, meta.b)
  end
end

-- The batch completes when its last open task ends: batch:completed, and cleanup may remove it
-- (with its files) once the retention has passed (the dead letters' retention if it has any).
local function batchTaskClosed(meta)
  local batchKey = key(STEM.batch, meta.b)
  if redis.call('HINCRBY', batchKey, 'open', -1) + pendingDelta(batchKey, 'open') > 0 then return end
  batchDone[meta.b] = true
  local c = redis.call('HMGET', batchKey, 'tasks', 't:completed', 't:failed', 't:cancelled', 'files')
  for i, field in ipairs({ 'tasks', 't:completed', 't:failed', 't:cancelled', 'files' }) do
    c[i] = tonumber(c[i] or 0) + pendingDelta(batchKey, field)
  end
  local retention = RETENTION_MS
  if c[3] > 0 and DEAD_RETENTION_MS > retention then retention = DEAD_RETENTION_MS end
  redis.call('HSET', batchKey, 'done', 1, 'doneAt', NOW)
  redis.call('ZADD', K.expiring, NOW + retention, meta.b)
  emit({
    type = 'batch:completed', batchId = meta.b, tasks = c[1], completed = c[2], failed = c[3],
    cancelled = c[4], files = c[5],
  })
end

-- Moves a task to `to` (from meta.s; nil for a new task) and publishes `task:<kind>`.
local function setStatus(id, meta, to, kind, extra)
  local from = meta.s
  meta.s = to
  touch(id)
  if from ~= nil then countTask(meta, from, -1) end
  countTask(meta, to, 1)

  -- isFinal(), inlined: this runs for every task in every script.
  local toFinal, fromFinal = to >= COMPLETED, from ~= nil and from >= COMPLETED
  if toFinal then
    meta.e = integerText(NOW)
    local retention = RETENTION_MS
    if to == FAILED then retention = DEAD_RETENTION_MS end
    setIndex(K.finished, id, NOW + retention)
  elseif fromFinal then
    meta.e = nil
    setIndex(K.finished, id, false)
  end

  taskEvent(kind, id, meta, extra)

  -- A task created final (cancelled: a parent had already failed) opens and closes at once.
  local opened = (from == nil or fromFinal) and not (from ~= nil and toFinal)
  local closed = not fromFinal and toFinal
  if opened then
    if meta.f then fileTaskOpened(meta, from == nil, from) end
    if meta.b then batchTaskOpened(meta, from == nil) end
  end
  if closed then
    if meta.f then fileTaskClosed(meta, to) end
    if meta.b then batchTaskClosed(meta) end
  end
  if to == ACTIVE and meta.f and currentFileStatus(meta.f) == 'pending' then setFileStatus(meta.f, 'processing') end
end

local function beginTransitions()
  countFields, fileStatus, batchDone = {}, {}, {}
end
