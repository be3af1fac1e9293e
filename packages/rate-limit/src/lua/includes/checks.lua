--[[
Every rate-limit script starts with this (src/redis/scripts.ts puts it in front of the script's
own code): the rules, the server's clock, and the reply the script fills. Each script then runs
its checks in order, each all-or-nothing over every rule: whether every rule admits it is
decided first, then it is counted under every rule or none. Straight-line code, no functions:
these scripts run per request, and a closure made on every call shows.

KEYS[i]      one per check: the subject's state (see the script's own header)
ARGV[1]      R, the number of rules
ARGV[2..]    per rule j, three values from ARGV[3j-1]: limit, window (ms), burst
ARGV[3R+2..] per check i, ARGV[3R+1+i]: cost (0 reads without counting)
Returns: { now (µs), then per check: allowed (1|0), then per rule: remaining, reset ms,
           retry-after ms (0 when that rule admits the check) }
]]
-- TIME makes the script non-deterministic: replicate its effects, not the script. Needed on
-- Redis < 5; Redis 5+ does this by default (and 7 only replicates effects), so it is a no-op.
if redis.replicate_commands then redis.replicate_commands() end

-- Microseconds on the server's clock, never the client's: every check of this call happens now.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local rules = tonumber(ARGV[1])
local limit, window, burst = {}, {}, {} -- window in µs
for j = 1, rules do
  limit[j] = tonumber(ARGV[3 * j - 1])
  window[j] = tonumber(ARGV[3 * j]) * 1000
  burst[j] = tonumber(ARGV[3 * j + 1])
end

-- Reported milliseconds are rounded up (a wait is never reported short): ceil(us / 1000).
local ceil, floor, max = math.ceil, math.floor, math.max

-- Check i's cost is ARGV[costs + i]. The reply: now, then n numbers so far.
local costs = 3 * rules + 1
local out, n = { now }, 1
