--[[
fail: the lease holder reports a failed attempt. The task retries after a backoff while
attempts remain (and the error is retryable), else fails for good: dead-letter set, and its
open descendants are cancelled.

KEYS, ARGV[1..17]: the pipeline context (includes/context.lua).
ARGV[18] task id
ARGV[19] lease token
ARGV[20] error message
ARGV[21] '1' retryable, '0' fail for good now

Returns: { 0, 'retrying' | 'failed' } or { E.TASK_NOT_FOUND, id } / { E.LEASE_LOST, id, status }
]]
local id, token = ARGV[18], ARGV[19]
local meta = load(id)
if not meta then return { E.TASK_NOT_FOUND, id } end
if meta.s ~= ACTIVE or meta.k ~= token then return { E.LEASE_LOST, id, STATUS[meta.s] } end

local outcome = failAttempt(id, meta, ARGV[20], ARGV[21] == '1', false)
flush()
flushWakeUps()
return { 0, outcome }
