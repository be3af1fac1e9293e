--[[
  Releases a mutex (also the write side of a read-write lock) if the token still owns it, and
  wakes the waiters.

  KEYS[1] the lock: a string holding the owner token
  ARGV[1] owner token
  ARGV[2] pub/sub channel the waiters of this lock listen on

  Returns 1 released, -1 the token no longer owned the lock (nothing changed)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return -1
