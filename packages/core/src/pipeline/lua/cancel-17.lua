--[[
cancel: cancels a task that has not finished (an active one loses its lease) and every open
descendant, recording the reason.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] task id
ARGV[19] reason
ARGV[20] lease token the caller must hold (a worker cancelling its own task), or '' for none

Returns: { 0, cancelled (0 when already finished), descendants cancelled }
  or { E.TASK_NOT_FOUND, id } / { E.LEASE_LOST, id, status }
]]
local id, reason, token = ARGV[18], ARGV[19], ARGV[20]
local meta = load(id)
if not meta then return { E.TASK_NOT_FOUND, id } end
if token ~= '' and (meta.s ~= ACTIVE or meta.k ~= token) then return { E.LEASE_LOST, id, STATUS[meta.s] } end
if isFinal(meta.s) then return { 0, 0, 0 } end

cancelOne(id, meta, reason, nil)
local descendants = cascadeCancel(id, 'parent ' .. id .. ' cancelled')
flush()
return { 0, 1, descendants }
