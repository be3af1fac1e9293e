-- Releases a stampede lock only if this process still holds it.
-- KEYS[1]  lock key
-- ARGV[1]  token written when the lock was taken
-- Returns 1 when released, 0 when the lock had expired or belongs to someone else.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
