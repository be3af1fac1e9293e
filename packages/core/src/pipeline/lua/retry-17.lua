--[[
retry: runs a failed or cancelled task again (it leaves the dead-letter set) and revives the
descendants its failure had cancelled. Its parents must not be failed or cancelled.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] task id
ARGV[19] delay before it is ready (ms, 0 for none)
ARGV[20] '1' to reset the attempt and stall counts, '0' to allow one more attempt

Returns: { 0, descendants revived } or { E.TASK_NOT_FOUND, id } / { E.INVALID_STATE, id, status }
  / { E.PARENT_NOT_COMPLETED, id, parent id }
]]
local id, delay = ARGV[18], tonumber(ARGV[19])
local meta = load(id)
if not meta then return { E.TASK_NOT_FOUND, id } end
if meta.s ~= FAILED and meta.s ~= CANCELLED then return { E.INVALID_STATE, id, STATUS[meta.s] } end
local open, blocked = openParents(meta)
if blocked then return { E.PARENT_NOT_COMPLETED, id, blocked } end

zrem(K.dead, id)
if ARGV[20] == '1' then
  meta.a, meta.l = 0, nil
elseif (meta.a or 0) >= meta.m then
  meta.m = meta.a + 1
end
meta.E, meta.z = nil, nil
if delay > 0 then meta.r = integerText(NOW + delay) else meta.r = nil end
if open > 0 then
  meta.n = open
  setStatus(id, meta, WAITING, 'retried')
else
  makeRunnable(id, meta, 'retried')
end
local revived = reviveDescendants(id)
flush()
flushWakeUps()
return { 0, revived }
