--[[
Events: every change is published on the job_updates channel (live views) and appended to the
capped events stream (field "event", the same JSON), for consumers that must not miss any.
Wake-ups for idle workers are collected per worker type and published once per script.
]]
local wakeUps, wakeOrder, TAIL, quotedTypes, attemptArgs

local function beginEvents()
  wakeUps, wakeOrder = {}, {}
  -- Every task event ends with the same fields.
  TAIL = ',"pipeline":"' .. PIPELINE .. '","at":' .. string.format('%d', NOW) .. '}'
  quotedTypes, attemptArgs = {}, {}
end

local function publish(json)
  redis.call('XADD', K.events, 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'event', json)
  redis.call('PUBLISH', UPDATES_CHANNEL, json)
end

-- Events other than a task's (files, batches): any table, encoded by cjson.
local function emit(event)
  event.pipeline = PIPELINE
  event.at = NOW
  publish(cjson.encode(event))
end

-- Task events are the bulk of all events, so their JSON is assembled from pieces in one
-- concatenation. Ids, worker types and the pipeline name are key-safe (letters, digits,
-- _-.~/@+=: nothing JSON escapes); task types are encoded by cjson once per script.
-- `extra`: a table of more fields, each value encoded by cjson; or those fields already encoded
-- (',"name":<JSON>…'), for a script that sends the same ones with many events.
local function taskEvent(kind, id, meta, extra)
  local taskType = quotedTypes[meta.y]
  if not taskType then
    taskType = cjson.encode(meta.y)
    quotedTypes[meta.y] = taskType
  end
  local a = meta.a or 0
  local attempt = attemptArgs[a]
  if not attempt then
    attempt = string.format('%d', a)
    attemptArgs[a] = attempt
  end
  local fileId, batchId, fields = '', '', ''
  if meta.f then fileId = ',"fileId":"' .. meta.f .. '"' end
  if meta.b then batchId = ',"batchId":"' .. meta.b .. '"' end
  if type(extra) == 'string' then
    fields = extra
  elseif extra then
    for k, v in pairs(extra) do
      fields = fields .. ',"' .. k .. '":' .. cjson.encode(v)
    end
  end
  publish(
    '{"type":"task:' .. kind .. '","taskId":"' .. id .. '","taskType":' .. taskType .. ',"workerType":"'
      .. meta.w .. '","status":"' .. STATUS[meta.s] .. '","attempt":' .. attempt .. fileId .. batchId
      .. fields .. TAIL
  )
end

local function wakeUp(workerType)
  if not wakeUps[workerType] then
    wakeUps[workerType] = true
    wakeOrder[#wakeOrder + 1] = workerType
  end
end

local function flushWakeUps()
  for _, workerType in ipairs(wakeOrder) do
    redis.call('PUBLISH', key(STEM.wake, workerType), PIPELINE)
  end
end
