--[[
  Takes a mutex for one owner, or reports how long the current holder's lease has left.

  KEYS[1] the lock: a string holding the owner token, expiring with the lease (PX)
  KEYS[2] the fencing counter of this lock name (INCR, never expires)
  ARGV[1] owner token (random, one per acquisition)
  ARGV[2] lease length in ms

  Returns {1, fence}   taken: fence is the new fencing token (strictly greater than any before)
          {-1, pttl}   held by another owner; pttl = ms until its lease ends (-1: it has no expiry)

  The same token may ask again (a retried command whose first reply was lost): the lease is
  renewed and a new, higher fencing token returned.

  Redis 7.0+ (REDIS_VERSION_NUM is only defined there) takes a free lock with one SET NX GET
  instead of a GET then a SET (NX and GET together are a syntax error before 7.0): a taken turn
  then costs the script SET + INCR, a refused one SET + PTTL, as before.
]]
local owner
if redis.REDIS_VERSION_NUM and redis.REDIS_VERSION_NUM >= 0x070000 then
  owner = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2], 'GET')
  if owner == false then
    return {1, redis.call('INCR', KEYS[2])}
  end
else
  owner = redis.call('GET', KEYS[1])
end
if owner == false or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, redis.call('INCR', KEYS[2])}
end
return {-1, redis.call('PTTL', KEYS[1])}
