--[[
recover: maintenance any process may run at any time (each step is atomic and idempotent).
  mode 'expired': active tasks whose lease expired go back to ready (the attempt counts) or
                  fail for good; delayed tasks whose time has come become ready.
  mode 'worker':  active tasks held by one worker (known dead) are recovered the same way now,
                  scanning one page of the lease index.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] mode: 'expired' or 'worker'
ARGV[19] maximum tasks to look at
ARGV[20] worker id (mode 'worker')
ARGV[21] index of the first lease to scan (mode 'worker')

Returns: { 0, recovered, promoted ('expired') or leases scanned ('worker'), expired leases looked at }
]]
local mode, limit = ARGV[18], tonumber(ARGV[19])
local first, second, examined = 0, 0, 0
if mode == 'expired' then
  first, examined = recoverExpired(limit)
  second = promoteDue(limit)
else
  local workerId, offset = ARGV[20], tonumber(ARGV[21])
  local ids = redis.call('ZRANGE', K.leases, offset, offset + limit - 1)
  for _, id in ipairs(ids) do
    local meta = load(id)
    if meta and meta.s == ACTIVE and meta.W == workerId then
      stallAttempt(id, meta, 'worker ' .. workerId .. ' was lost')
      first = first + 1
    end
  end
  second = #ids
end
flush()
flushWakeUps()
return { 0, first, second, examined }
