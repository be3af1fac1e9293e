--[[
Task records. A record is "<meta JSON>\n<inline payload>[\n<inline result>]" in the tasks hash.
Meta fields are single letters to keep ~100k queued tasks small:
  s status  w worker type  y task type  p priority  f file id  b batch id
  a attempts made  m max attempts  c created  t started  e finished  r run at (delayed)
  n parents not completed yet  P parent ids  C child ids
  k lease token  x lease expiry  W worker id  g progress  E last error
  z id of the task whose failure cancelled this one  i idempotency key
  D payload stored out of line  R result: 1 inline, 2 out of line  B backoff base (ms)
  l stalls (attempts lost with their worker)  L stalls allowed (absent: no own limit)
Times (c t e r x, ms) are stored as strings of digits (integerText): cjson formats a number
with "%.14g", three times the cost of the string. Read them with tonumber().
Records are loaded once per script, changed in memory and written back by flush().
]]
local cache, dirty, dirtyOrder

local function load(id)
  local entry = cache[id]
  if entry == nil then
    local raw = redis.call('HGET', K.tasks, id)
    if not raw then
      cache[id] = false
      return nil
    end
    local nl = string.find(raw, '\n', 1, true)
    entry = { meta = cjson.decode(string.sub(raw, 1, nl - 1)), tail = string.sub(raw, nl) }
    cache[id] = entry
  elseif entry == false then
    return nil
  end
  return entry.meta
end

local function touch(id)
  if not dirty[id] then
    dirty[id] = true
    dirtyOrder[#dirtyOrder + 1] = id
  end
end

local function create(id, meta, payload)
  cache[id] = { meta = meta, tail = '\n' .. payload }
  touch(id)
end

-- The inline payload: the tail up to the second newline.
local function inlinePayload(id)
  local tail = cache[id].tail
  local nl = string.find(tail, '\n', 2, true)
  return nl and string.sub(tail, 2, nl - 1) or string.sub(tail, 2)
end

local function setInlineResult(id, result)
  cache[id].tail = '\n' .. inlinePayload(id) .. '\n' .. result
end

local function clearInlineResult(id)
  cache[id].tail = '\n' .. inlinePayload(id)
end

local function encode(id)
  local entry = cache[id]
  return cjson.encode(entry.meta) .. entry.tail
end

-- Loads many records with one HMGET (a redis.call costs more than the work most of them do).
local function preload(ids)
  local missing = {}
  for _, id in ipairs(ids) do
    if cache[id] == nil then missing[#missing + 1] = id end
  end
  if #missing == 0 then return end
  local raws = redis.call('HMGET', K.tasks, unpack(missing))
  for i, id in ipairs(missing) do
    local raw = raws[i]
    if raw then
      local nl = string.find(raw, '\n', 1, true)
      cache[id] = { meta = cjson.decode(string.sub(raw, 1, nl - 1)), tail = string.sub(raw, nl) }
    else
      cache[id] = false
    end
  end
end

--[[
Bookkeeping deferred to flush(): counters (the pipeline's, and a batch's tasks by status) and
the lease, finished and dead-letter indexes are collected (for a sorted set the last change of a
member wins) and applied with one command per key and field. Scripts never read these indexes
back after changing them; a counter read back adds pendingDelta().
]]
local pendingIncr, incrOrder
local function incrLater(hash, field, by)
  local fields = pendingIncr[hash]
  if not fields then
    fields = { values = {}, order = {} }
    pendingIncr[hash] = fields
    incrOrder[#incrOrder + 1] = hash
  end
  local values = fields.values
  local value = values[field]
  if value == nil then
    value = 0
    local order = fields.order
    order[#order + 1] = field
  end
  values[field] = value + by
end

-- What incrLater has not written yet, for a script that reads the counter back.
local function pendingDelta(hash, field)
  local fields = pendingIncr[hash]
  return fields and fields.values[field] or 0
end

local function count(field, by)
  incrLater(K.counts, field, by)
end

local pendingIndex, indexOrder
local function setIndex(zset, member, score)
  local ops = pendingIndex[zset]
  if not ops then
    ops = { scores = {}, order = {} }
    pendingIndex[zset] = ops
    indexOrder[#indexOrder + 1] = zset
  end
  if ops.scores[member] == nil then ops.order[#ops.order + 1] = member end
  ops.scores[member] = score
end
local function zadd(zset, score, member) setIndex(zset, member, score) end

-- An integer as its '%d' string, formatted once per call (most share a few NOW-based values).
-- Both cjson (meta times) and Redis 7.0 (a Lua number argument, ZADD scores) would format a
-- number with "%.14g" / "%.17g", which costs more than the rest of the field or member.
-- Strings pass through; a number that is not an integer stays a number.
local integerTexts
local function integerText(n)
  if type(n) == 'string' then return n end
  local text = integerTexts[n]
  if text == nil then
    text = n
    if n == math.floor(n) and n > -2 ^ 53 and n < 2 ^ 53 then text = string.format('%d', n) end
    integerTexts[n] = text
  end
  return text
end
local function zrem(zset, member) setIndex(zset, member, false) end

-- Completions ('c') and failures ('f') per second, for throughput: about two minutes are kept.
local pendingThroughput
local function countThroughput(kind)
  pendingThroughput[kind] = (pendingThroughput[kind] or 0) + 1
end

local function flushThroughput()
  local second = math.floor(NOW / 1000)
  for kind, by in pairs(pendingThroughput) do
    if redis.call('HINCRBY', K.throughput, kind .. second, by) == by and redis.call('HLEN', K.throughput) > 240 then
      for _, field in ipairs(redis.call('HKEYS', K.throughput)) do
        if tonumber(string.sub(field, 2)) < second - 120 then redis.call('HDEL', K.throughput, field) end
      end
    end
  end
  pendingThroughput = {}
end

-- One command per 1000 arguments (pairs stay together: the size is even).
local function callChunked(command, target, args)
  for first = 1, #args, 1000 do
    redis.call(command, target, unpack(args, first, math.min(first + 999, #args)))
  end
end

--[[
The lease index holds about as many members as tasks are in flight (often under 128), so Redis
would keep it a listpack: every ZADD and ZREM then scans it, which cost more than all other
index work of a claim and a complete together (valgrind: 33k of 280k instructions per task at
100 in flight). A member longer than zset-max-listpack-value (64 bytes by default) makes it a
skiplist. Its score is +inf: no lease range ever reaches it, rank pages end with it, and no
task has its name (so loading it finds nothing).
]]
local SKIPLIST_HINT = '~skiplist: a member longer than 64 bytes keeps this sorted set a skiplist~'

local function flush()
  local fields = {}
  for _, id in ipairs(dirtyOrder) do
    local entry = cache[id]
    if entry then
      -- Kept as `written` for replies that return the record (claim).
      entry.written = encode(id)
      fields[#fields + 1] = id
      fields[#fields + 1] = entry.written
    end
  end
  callChunked('HSET', K.tasks, fields)
  for _, zset in ipairs(indexOrder) do
    local ops, adds, removes = pendingIndex[zset], {}, {}
    for _, member in ipairs(ops.order) do
      local score = ops.scores[member]
      if score then
        adds[#adds + 1] = integerText(score)
        adds[#adds + 1] = member
      else
        removes[#removes + 1] = member
      end
    end
    if zset == K.leases and #adds > 0 then
      adds[#adds + 1] = '+inf'
      adds[#adds + 1] = SKIPLIST_HINT
    end
    callChunked('ZADD', zset, adds)
    callChunked('ZREM', zset, removes)
    -- With no lease left the hint goes too: nothing of an idle pipeline stays behind.
    if zset == K.leases and #removes > 0 and redis.call('ZCARD', zset) == 1
      and redis.call('ZSCORE', zset, SKIPLIST_HINT) then
      redis.call('DEL', zset)
    end
  end
  for _, hash in ipairs(incrOrder) do
    local fields = pendingIncr[hash]
    for _, field in ipairs(fields.order) do
      local by = fields.values[field]
      if by ~= 0 then redis.call('HINCRBY', hash, field, by) end
    end
  end
  flushThroughput()
  dirty, dirtyOrder = {}, {}
  pendingIndex, indexOrder = {}, {}
  pendingIncr, incrOrder = {}, {}
end

-- Adds `value` to the array field `name` of `meta` unless present (arrays stay absent when empty:
-- cjson would write an empty table as {}).
local function addUnique(meta, name, value)
  local list = meta[name]
  if not list then
    meta[name] = { value }
    return
  end
  for _, v in ipairs(list) do
    if v == value then return end
  end
  list[#list + 1] = value
end

local function beginRecords()
  cache, dirty, dirtyOrder = {}, {}, {}
  pendingIncr, incrOrder = {}, {}
  pendingIndex, indexOrder = {}, {}
  integerTexts, pendingThroughput = {}, {}
end
