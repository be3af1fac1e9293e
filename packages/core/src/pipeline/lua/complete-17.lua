--[[
complete: lease holders finish tasks, several in one call (each on its own: one stale lease
does not stop the others). Children whose parents have all completed become ready (or delayed
until their run-at time).

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] number of tasks n
ARGV[19..] n groups of 4: task id, lease token, result storage ('' none, 'i' inline in the
  record, 'o' in the results hash), result (JSON, or a codec-tagged blob when out of line)

Returns: { 0, code, status, code, status, … } one pair per task, in order:
  0 and '' when completed, E.TASK_NOT_FOUND and '', or E.LEASE_LOST and the task's status
]]
local n = tonumber(ARGV[18])
local ids = {}
for i = 1, n do ids[i] = ARGV[15 + 4 * i] end
preload(ids)

local reply = { 0 }
for i = 1, n do
  local base = 15 + 4 * i
  local id, token, mode = ARGV[base], ARGV[base + 1], ARGV[base + 2]
  local meta = load(id)
  if not meta then
    reply[#reply + 1] = E.TASK_NOT_FOUND
    reply[#reply + 1] = ''
  elseif meta.s ~= ACTIVE or meta.k ~= token then
    reply[#reply + 1] = E.LEASE_LOST
    reply[#reply + 1] = STATUS[meta.s]
  else
    clearLease(id, meta)
    if mode == 'i' then
      setInlineResult(id, ARGV[base + 3])
      meta.R = 1
    elseif mode == 'o' then
      redis.call('HSET', K.results, id, ARGV[base + 3])
      meta.R = 2
    end
    meta.E, meta.g = nil, nil -- a completed task reads as progress 100
    countThroughput('c')
    setStatus(id, meta, COMPLETED, 'completed')
    releaseChildren(meta)
    reply[#reply + 1] = 0
    reply[#reply + 1] = ''
  end
end
flush()
flushWakeUps()
return reply
