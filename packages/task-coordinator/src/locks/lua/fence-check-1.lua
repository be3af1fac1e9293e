--[[
  Fencing check for a protected resource: accepts a fencing token only if no higher token was
  seen before, and remembers the highest one. A holder whose lock expired (a paused process)
  carries a lower token than the next holder, so its late writes are refused.

  KEYS[1] highest fencing token the resource accepted (string integer, never expires)
  ARGV[1] the fencing token of the caller's lock

  Returns {1, token}     accepted (equal tokens are accepted: one holder writes several times)
          {-1, highest}  refused: a newer holder has already been accepted
]]
local token = tonumber(ARGV[1])
local highest = tonumber(redis.call('GET', KEYS[1]) or '0')
if token < highest then
  return {-1, highest}
end
if token > highest then
  redis.call('SET', KEYS[1], ARGV[1])
end
return {1, token}
