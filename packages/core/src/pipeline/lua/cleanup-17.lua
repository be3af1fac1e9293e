--[[
cleanup: removes what has outlived its retention, a bounded amount per call:
  finished tasks (record, payload, result, error log, indexes), then completed batches with
  their files (file records, path and hash indexes, any task left).

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] maximum tasks to remove (and files, for batches)

Returns: { 0, tasks removed, files removed, batches removed, more (1 when the limit was hit) }
]]
local limit = tonumber(ARGV[18])
local tasks, files, batches, more = 0, 0, 0, 0

local function removeTask(id, meta)
  redis.call('HDEL', K.tasks, id)
  redis.call('HDEL', K.payloads, id)
  redis.call('HDEL', K.results, id)
  redis.call('HDEL', K.errorLog, id)
  redis.call('ZREM', K.finished, id)
  redis.call('ZREM', K.dead, id)
  redis.call('ZREM', K.delayed, id)
  redis.call('ZREM', K.leases, id)
  redis.call('HINCRBY', K.counts, 't:' .. STATUS[meta.s] .. ':' .. meta.w, -1)
  if meta.i and redis.call('HGET', K.idempotency, meta.i) == id then redis.call('HDEL', K.idempotency, meta.i) end
  if meta.f then redis.call('HDEL', key(STEM.fileTasks, meta.f), id) end
  cache[id] = false
  tasks = tasks + 1
end

for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.finished, '-inf', NOW, 'LIMIT', 0, limit)) do
  local meta = load(id)
  if meta and isFinal(meta.s) then
    removeTask(id, meta)
  else
    redis.call('ZREM', K.finished, id)
  end
end
if tasks >= limit then more = 1 end

local function removeFile(fileId)
  local fileKey = key(STEM.file, fileId)
  local tasksKey = key(STEM.fileTasks, fileId)
  for _, id in ipairs(redis.call('HKEYS', tasksKey)) do
    local meta = load(id)
    if meta then removeTask(id, meta) end
  end
  local f = redis.call('HMGET', fileKey, 'path', 'hash', 'status')
  if f[1] and redis.call('HGET', K.paths, f[1]) == fileId then redis.call('HDEL', K.paths, f[1]) end
  if f[2] and redis.call('HGET', K.hashes, f[2]) == fileId then redis.call('HDEL', K.hashes, f[2]) end
  if f[3] then redis.call('HINCRBY', K.counts, 'f:' .. f[3], -1) end
  redis.call('DEL', fileKey, tasksKey)
  files = files + 1
end

local budget = limit
for _, batchId in ipairs(redis.call('ZRANGEBYSCORE', K.expiring, '-inf', NOW, 'LIMIT', 0, limit)) do
  if budget <= 0 then
    more = 1
    break
  end
  local batchKey = key(STEM.batch, batchId)
  if redis.call('HGET', batchKey, 'done') == '1' then
    local filesKey = key(STEM.batchFiles, batchId)
    local popped = redis.call('SPOP', filesKey, budget)
    for _, fileId in ipairs(popped) do removeFile(fileId) end
    budget = budget - #popped
    if redis.call('SCARD', filesKey) == 0 then
      redis.call('DEL', batchKey, filesKey)
      redis.call('ZREM', K.batches, batchId)
      redis.call('ZREM', K.expiring, batchId)
      batches = batches + 1
    else
      more = 1
    end
  else
    redis.call('ZREM', K.expiring, batchId)
  end
end
return { 0, tasks, files, batches, more }
