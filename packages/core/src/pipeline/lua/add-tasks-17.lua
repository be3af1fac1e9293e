--[[
addTasks: adds a chunk of tasks, all or none. The caller has validated every field, ordered
the chunk so parents come before children, and checked the chunk has no cycle (the stored
graph cannot gain one: a new task can only depend on tasks that exist or come earlier).
Phase 1 checks every reference without writing; phase 2 writes.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] JSON array of task specs, each:
  w worker type, y task type, p priority, m max attempts, f file id?, b batch id?, B backoff base?,
  L max stalls?,
  d delay (ms)? or r run-at (ms)?, i idempotency key?, D 1 when the payload is out of line,
  deps: parents, a number n = the n-th spec of this chunk (1-based), a string = a stored task id
  A: task types of the same file that must match stored tasks (afterTasks not met in this call)
  a: task types of the same file to match among stored tasks too (already met in this call)
ARGV[19..] one payload per spec, in order ('' for none): inline text, or the blob when D = 1

Returns: { 0, id, existed, id, existed, … } (existed = 1 when an idempotency key matched)
  or { E.FILE_NOT_FOUND | E.BATCH_NOT_FOUND | E.TASK_NOT_FOUND, missing id or type, spec index (0-based), field }
  or { E.BATCH_MISMATCH, file id, spec index, the file's batch id }
]]
local specs = cjson.decode(ARGV[18])

-- Tasks of a file by type, as stored before this call.
local fileTypes = {}
local function storedOfType(fileId, taskType)
  local byType = fileTypes[fileId]
  if not byType then
    byType = {}
    local flat = redis.call('HGETALL', key(STEM.fileTasks, fileId))
    for j = 1, #flat, 2 do
      local list = byType[flat[j + 1]] or {}
      list[#list + 1] = flat[j]
      byType[flat[j + 1]] = list
    end
    fileTypes[fileId] = byType
  end
  return byType[taskType] or {}
end

local fileBatch = {}
local existing = {}
for i, spec in ipairs(specs) do
  local hit = spec.i and redis.call('HGET', K.idempotency, spec.i)
  if hit and load(hit) then
    existing[i] = hit
  else
    if spec.f then
      local batchId = fileBatch[spec.f]
      if batchId == nil then
        batchId = redis.call('HGET', key(STEM.file, spec.f), 'batchId')
        fileBatch[spec.f] = batchId
      end
      if not batchId then return { E.FILE_NOT_FOUND, spec.f, i - 1, 'fileId' } end
      if spec.b and spec.b ~= batchId then return { E.BATCH_MISMATCH, spec.f, i - 1, batchId } end
      spec.b = batchId
      for _, taskType in ipairs(spec.A or {}) do
        if #storedOfType(spec.f, taskType) == 0 then return { E.TASK_NOT_FOUND, taskType, i - 1, 'afterTasks' } end
      end
      for _, taskType in ipairs(spec.a or {}) do storedOfType(spec.f, taskType) end
    elseif spec.b and redis.call('EXISTS', key(STEM.batch, spec.b)) == 0 then
      return { E.BATCH_NOT_FOUND, spec.b, i - 1, 'batchId' }
    end
    for _, dep in ipairs(spec.deps or {}) do
      if type(dep) == 'string' and not load(dep) then return { E.TASK_NOT_FOUND, dep, i - 1, 'dependsOn' } end
    end
  end
end

local fresh = 0
for i = 1, #specs do
  if not existing[i] then fresh = fresh + 1 end
end
if fresh > 0 then reserveIds(fresh) end
deferPushes = true

local reply = { 0 }
local ids = {}
for i, spec in ipairs(specs) do
  if existing[i] then
    ids[i] = existing[i]
  else
    local id = newId('t')
    ids[i] = id
    local meta = { w = spec.w, y = spec.y, p = spec.p, m = spec.m, c = integerText(NOW), f = spec.f, b = spec.b, B = spec.B, L = spec.L, i = spec.i }
    if spec.d then
      meta.r = integerText(NOW + spec.d)
    elseif spec.r then
      meta.r = integerText(spec.r)
    end

    local open, blocked = 0, nil
    -- Most tasks have no parent: they skip building the parent list.
    if spec.deps or spec.A or spec.a then
      local parents, seen = {}, {}
      local function addParent(parentId)
        if not seen[parentId] then
          seen[parentId] = true
          parents[#parents + 1] = parentId
        end
      end
      for _, dep in ipairs(spec.deps or {}) do
        if type(dep) == 'number' then addParent(ids[dep]) else addParent(dep) end
      end
      if spec.f then
        for _, taskType in ipairs(spec.A or {}) do
          for _, parentId in ipairs(storedOfType(spec.f, taskType)) do addParent(parentId) end
        end
        for _, taskType in ipairs(spec.a or {}) do
          for _, parentId in ipairs(storedOfType(spec.f, taskType)) do addParent(parentId) end
        end
      end

      for _, parentId in ipairs(parents) do
        local parent = load(parentId)
        if parent.s == FAILED or parent.s == CANCELLED then
          blocked = blocked or parentId
        elseif parent.s ~= COMPLETED then
          open = open + 1
        end
        addUnique(parent, 'C', id)
        touch(parentId)
      end
      if #parents > 0 then meta.P = parents end
    end

    local payload = ARGV[18 + i]
    if spec.D == 1 then
      meta.D = 1
      redis.call('HSET', K.payloads, id, payload)
      payload = ''
    end
    create(id, meta, payload)
    if spec.i then redis.call('HSET', K.idempotency, spec.i, id) end
    if spec.f then redis.call('HSET', key(STEM.fileTasks, spec.f), id, spec.y) end

    if blocked then
      local parent = load(blocked)
      meta.E = 'parent ' .. blocked .. ' ' .. STATUS[parent.s]
      meta.z = parent.z or blocked
      setStatus(id, meta, CANCELLED, 'created', { error = meta.E, cancelledBy = meta.z })
    elseif open > 0 then
      meta.n = open
      setStatus(id, meta, WAITING, 'created')
    else
      makeRunnable(id, meta, 'created')
    end
  end
  reply[#reply + 1] = ids[i]
  reply[#reply + 1] = existing[i] and 1 or 0
end
flushPushes()
flush()
flushWakeUps()
return reply
