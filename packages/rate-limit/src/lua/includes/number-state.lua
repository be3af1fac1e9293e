--[[
A subject's state as a short string of integers, the same count per rule ("%d %d …"): one GET
and one SET per check, and readable in redis-cli. Integers are written with %d, since tostring
would round a time in µs (16 digits) to 14.

stored: what readState read, reused by every check of the call
state:  what writeState writes; the script fills it for each rule
]]
local stored, state = {}, {}
-- Set on first use: the same for every check of this call.
local pattern, format

-- Reads `key` into `stored`, `width` numbers per rule (2 or 3); returns stored, or nil when the
-- key is missing or holds something else (such as state written for other rules): then there
-- is no state. One string.find per rule: no iterator to allocate per check.
local function readState(key, width)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  if not pattern then
    pattern = width == 2 and '^(%-?%d+) (%-?%d+) ?' or '^(%-?%d+) (%-?%d+) (%-?%d+) ?'
  end
  local at, n = 1, 0
  for _ = 1, rules do
    local _, last, a, b, c = string.find(raw, pattern, at)
    if not last then return nil end
    stored[n + 1], stored[n + 2] = tonumber(a), tonumber(b)
    if width == 3 then stored[n + 3] = tonumber(c) end
    n, at = n + width, last + 1
  end
  if at <= #raw then return nil end
  return stored
end

-- Writes `state`, kept for `ttlMs` (at least 1 ms).
local function writeState(key, ttlMs)
  if not format then
    -- Constants for one rule (most limiters): building a string per call shows in these scripts.
    local count = #state
    format = count == 2 and '%d %d' or count == 3 and '%d %d %d' or string.rep(' %d', count):sub(2)
  end
  redis.call('SET', key, string.format(format, unpack(state)), 'PX', max(1, ttlMs))
end
