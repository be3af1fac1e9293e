--[[
  Adds one amount to many counters and keeps a running total (a batch: one key per counter).
  KEYS[1]      the total, increased once per counter
  KEYS[2..n]   the counters
  ARGV[1]      amount to add to each counter
  Returns: { new total, then each counter's new value, in KEYS order }
]]
local amount = tonumber(ARGV[1])
local values = {}
for i = 2, #KEYS do
  values[#values + 1] = redis.call('INCRBY', KEYS[i], amount)
end
local total = redis.call('INCRBY', KEYS[1], amount * (#KEYS - 1))
table.insert(values, 1, total)
return values
