--[[
updateFile: sets a file's status, progress and/or error by hand (the store also derives the
status from the file's tasks: processing when one starts, final when the last one ends).

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] file id
ARGV[19] status, or '' to keep it
ARGV[20] progress 0..100, or '' to keep it
ARGV[21] error message, or '' for none

Returns: { 0 } or { E.FILE_NOT_FOUND, id }
]]
local fileId, status, progress, message = ARGV[18], ARGV[19], ARGV[20], ARGV[21]
local fileKey = key(STEM.file, fileId)
if redis.call('EXISTS', fileKey) == 0 then return { E.FILE_NOT_FOUND, fileId } end

local extra = {}
if progress ~= '' then extra.progress = tonumber(progress) end
if message ~= '' then extra.error = message end
local changed = false
if status ~= '' then
  changed = setFileStatus(fileId, status, extra)
else
  redis.call('HSET', fileKey, 'updatedAt', NOW)
  if extra.progress then redis.call('HSET', fileKey, 'progress', extra.progress) end
  if extra.error then redis.call('HSET', fileKey, 'error', extra.error) end
end
if not changed then
  emit({
    type = 'file:progress', fileId = fileId, batchId = redis.call('HGET', fileKey, 'batchId'),
    progress = extra.progress, error = extra.error,
  })
end
flush()
return { 0 }
