--[[
  Withdraws a waiting writer's intent (it timed out or was aborted), letting readers in again.

  KEYS[1] waiting writers: sorted set, member = writer token, score = expiry of its intent
  ARGV[1] writer token
  ARGV[2] pub/sub channel the waiters of this read-write lock listen on

  Returns 1 withdrawn (waiters woken), 0 there was no intent to withdraw
]]
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0
