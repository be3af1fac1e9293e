--[[
report: the lease holder reports progress and/or extends its lease.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] task id
ARGV[19] lease token
ARGV[20] progress 0..100, or '' to leave it
ARGV[21] new lease duration from now (ms), or '' to keep the expiry

Returns: { 0, leaseExpiresAt } or { E.TASK_NOT_FOUND, id } / { E.LEASE_LOST, id, status }
]]
local id, token = ARGV[18], ARGV[19]
local meta = load(id)
if not meta then return { E.TASK_NOT_FOUND, id } end
if meta.s ~= ACTIVE or meta.k ~= token then return { E.LEASE_LOST, id, STATUS[meta.s] } end

if ARGV[21] ~= '' then
  meta.x = integerText(NOW + tonumber(ARGV[21]))
  zadd(K.leases, meta.x, id)
  touch(id)
end
if ARGV[20] ~= '' then
  meta.g = tonumber(ARGV[20])
  touch(id)
  taskEvent('progress', id, meta, { progress = meta.g })
end
flush()
return { 0, meta.x }
