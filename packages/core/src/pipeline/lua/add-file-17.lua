--[[
addFile: adds a file to a batch, or reports the file already known by its content hash.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] batch id
ARGV[19] path
ARGV[20] content hash
ARGV[21] name
ARGV[22] size (bytes)
ARGV[23] mime type
ARGV[24] '1' to de-duplicate by content hash
ARGV[25] metadata (JSON object text, or '')

Returns: { 0, file id, 1 when it is an existing file (duplicate) else 0 } or { E.BATCH_NOT_FOUND, id }
]]
local batchId, path, hash = ARGV[18], ARGV[19], ARGV[20]
local batchKey = key(STEM.batch, batchId)
if redis.call('EXISTS', batchKey) == 0 then return { E.BATCH_NOT_FOUND, batchId } end

if ARGV[24] == '1' then
  local known = redis.call('HGET', K.hashes, hash)
  if known and redis.call('EXISTS', key(STEM.file, known)) == 1 then
    emit({ type = 'file:duplicate', fileId = known, batchId = batchId, path = path, hash = hash })
    return { 0, known, 1 }
  end
end

local id = newId('f')
local fields = {
  'id', id, 'batchId', batchId, 'path', path, 'hash', hash, 'name', ARGV[21], 'size', ARGV[22],
  'mimeType', ARGV[23], 'status', 'pending', 'progress', 0, 'createdAt', NOW, 'updatedAt', NOW,
  'tasks', 0, 'open', 0, 'failed', 0, 'cancelled', 0,
}
if ARGV[25] ~= '' then
  fields[#fields + 1] = 'metadata'
  fields[#fields + 1] = ARGV[25]
end
redis.call('HSET', key(STEM.file, id), unpack(fields))
redis.call('HSET', K.paths, path, id)
redis.call('HSETNX', K.hashes, hash, id)
redis.call('SADD', key(STEM.batchFiles, batchId), id)
redis.call('HINCRBY', batchKey, 'files', 1)
redis.call('HINCRBY', batchKey, 'f:pending', 1)
count('f:pending', 1)
emit({ type = 'file:created', fileId = id, batchId = batchId, path = path, status = 'pending' })
flush()
return { 0, id, 0 }
