--[[
  Renews a mutex lease (also the write side of a read-write lock) if the token still owns it.

  KEYS[1] the lock: a string holding the owner token
  ARGV[1] owner token
  ARGV[2] new lease length in ms, from now

  Returns 1 renewed, -1 the token no longer owns the lock (expired or taken by another owner)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return -1
