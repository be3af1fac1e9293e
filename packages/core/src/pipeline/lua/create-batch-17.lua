--[[
createBatch: a new batch of files, with a generated id or the caller's (idempotent: an
existing batch with that id is kept and reported).

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] name
ARGV[19] metadata (JSON object text, or '')
ARGV[20] the batch id to use, or '' to generate one

Returns: { 0, batch id, 1 when a batch with that id existed already else 0 }
]]
local id = ARGV[20]
if id == '' then
  id = newId('b')
elseif redis.call('EXISTS', key(STEM.batch, id)) == 1 then
  return { 0, id, 1 }
end
local fields = { 'id', id, 'name', ARGV[18], 'createdAt', NOW, 'tasks', 0, 'open', 0, 'files', 0, 'done', 0 }
if ARGV[19] ~= '' then
  fields[#fields + 1] = 'metadata'
  fields[#fields + 1] = ARGV[19]
end
redis.call('HSET', key(STEM.batch, id), unpack(fields))
redis.call('ZADD', K.batches, NOW, id)
emit({ type = 'batch:created', batchId = id, name = ARGV[18] })
flush()
return { 0, id, 0 }
