--[[
release: the lease holder gives a task back unfinished (shutdown, not its turn). The attempt
does not count; the task goes to the head of its priority, or waits `delayMs`.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] task id
ARGV[19] lease token
ARGV[20] delay before it is ready again (ms, 0 for none)

Returns: { 0 } or { E.TASK_NOT_FOUND, id } / { E.LEASE_LOST, id, status }
]]
local id, token, delay = ARGV[18], ARGV[19], tonumber(ARGV[20])
local meta = load(id)
if not meta then return { E.TASK_NOT_FOUND, id } end
if meta.s ~= ACTIVE or meta.k ~= token then return { E.LEASE_LOST, id, STATUS[meta.s] } end

clearLease(id, meta)
meta.a = math.max((meta.a or 1) - 1, 0)
if delay > 0 then
  meta.r = integerText(NOW + delay)
  redis.call('ZADD', K.delayed, meta.r, id)
  setStatus(id, meta, DELAYED, 'released', { delayMs = delay })
else
  setStatus(id, meta, READY, 'released')
  enqueue(id, meta, true)
end
flush()
flushWakeUps()
return { 0 }
