--[[
Pipeline context: every PipelineStore script receives these first (see scripts.ts).

KEYS[1]  tasks        hash   task id -> record (meta JSON \n payload [\n result])
KEYS[2]  payloads     hash   task id -> payload too large to inline
KEYS[3]  results      hash   task id -> result too large to inline
KEYS[4]  errorLog     hash   task id -> JSON array of failed attempts
KEYS[5]  delayed      zset   task id -> time it becomes ready (ms)
KEYS[6]  leases       zset   task id -> lease expiry (ms)
KEYS[7]  finished     zset   task id -> time cleanup may remove it (ms)
KEYS[8]  dead         zset   task id failed for good -> failure time (ms)
KEYS[9]  counts       hash   "t:<status>:<workerType>", "f:<status>" -> count
KEYS[10] throughput   hash   "c<second>" / "f<second>" -> completed / failed that second
KEYS[11] events       stream every event, capped
KEYS[12] seq          string id counter
KEYS[13] idempotency  hash   idempotency key -> task id
KEYS[14] paths        hash   file path -> file id
KEYS[15] hashes       hash   content hash -> file id
KEYS[16] batches      zset   batch id -> creation time (ms)
KEYS[17] expiring     zset   completed batch id -> time cleanup may remove it (ms)

ARGV[1]  pipeline name (for events)
ARGV[2]  key stem of a batch hash            (+ batch id)
ARGV[3]  key stem of a batch's file set      (+ batch id)
ARGV[4]  key stem of a file hash             (+ file id)
ARGV[5]  key stem of a file's task hash      (+ file id)
ARGV[6]  key stem of a worker type's priority set (+ worker type)
ARGV[7]  key stem of a ready list            (+ worker type : priority)
ARGV[8]  channel stem of the wake-up channel (+ worker type)
ARGV[9]  events channel (job_updates)
ARGV[10] events stream max length (approximate)
ARGV[11] id prefix ('' or a partition's prefix)
ARGV[12] retention of completed and cancelled tasks (ms)
ARGV[13] retention of dead letters (ms)
ARGV[14] backoff base (ms)
ARGV[15] backoff maximum (ms)
ARGV[16] random seed (integer, for backoff jitter)
ARGV[17] error history entries kept per task
Script-specific arguments start at ARGV[18].

A stem is a key formatted by the key registry up to its trailing parameters: scripts only
append those values (ids, worker types, priorities), joined by ':' like every template.
]]
-- Per-call state, set by beginContext() at the start of every call (a loaded library keeps its
-- top-level values between calls, so nothing that depends on a call may be assigned up here).
local K, STEM, PIPELINE, UPDATES_CHANNEL, EVENTS_MAXLEN, ID_PREFIX
local RETENTION_MS, DEAD_RETENTION_MS, BACKOFF_BASE_MS, BACKOFF_MAX_MS, ERROR_HISTORY
local NOW, seed, nextSeq, lastSeq

local function beginContext(KEYS, ARGV)
  K = {
    tasks = KEYS[1], payloads = KEYS[2], results = KEYS[3], errorLog = KEYS[4],
    delayed = KEYS[5], leases = KEYS[6], finished = KEYS[7], dead = KEYS[8],
    counts = KEYS[9], throughput = KEYS[10], events = KEYS[11], seq = KEYS[12],
    idempotency = KEYS[13], paths = KEYS[14], hashes = KEYS[15], batches = KEYS[16],
    expiring = KEYS[17],
  }
  PIPELINE = ARGV[1]
  STEM = {
    batch = ARGV[2], batchFiles = ARGV[3], file = ARGV[4], fileTasks = ARGV[5],
    priorities = ARGV[6], queue = ARGV[7], wake = ARGV[8],
  }
  UPDATES_CHANNEL = ARGV[9]
  EVENTS_MAXLEN = ARGV[10]
  ID_PREFIX = ARGV[11]
  RETENTION_MS = tonumber(ARGV[12])
  DEAD_RETENTION_MS = tonumber(ARGV[13])
  BACKOFF_BASE_MS = tonumber(ARGV[14])
  BACKOFF_MAX_MS = tonumber(ARGV[15])
  seed = tonumber(ARGV[16]) % 2147483647
  ERROR_HISTORY = tonumber(ARGV[17])
  local t = redis.call('TIME')
  NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  nextSeq, lastSeq = 1, 0
end

local function key(stem, ...)
  return stem .. table.concat({ ... }, ':')
end

-- Park-Miller generator seeded per call from ARGV: scripts stay deterministic for a given input.
local function random()
  seed = (seed * 16807) % 2147483647
  if seed == 0 then seed = 1 end
  return seed / 2147483647
end

local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  local s = ''
  repeat
    local d = n % 36
    s = string.sub(DIGITS, d + 1, d + 1) .. s
    n = math.floor(n / 36)
  until n == 0
  return s
end

-- A new id: prefix, kind letter ('b' batch, 'f' file, 't' task), base-36 sequence number.
-- reserveIds(n) takes n numbers with one INCRBY for the next n ids.
local function reserveIds(n)
  lastSeq = redis.call('INCRBY', K.seq, n)
  nextSeq = lastSeq - n + 1
end
local function newId(kind)
  if nextSeq > lastSeq then reserveIds(1) end
  local id = ID_PREFIX .. kind .. base36(nextSeq)
  nextSeq = nextSeq + 1
  return id
end

-- Task statuses, as stored (meta.s) and as named in events and counters.
local WAITING, READY, DELAYED, ACTIVE, COMPLETED, FAILED, CANCELLED = 0, 1, 2, 3, 4, 5, 6
local STATUS = { [0] = 'waiting', 'ready', 'delayed', 'active', 'completed', 'failed', 'cancelled' }

local function isFinal(status)
  return status >= COMPLETED
end

-- Failure codes: the first element of a failed script's reply (mapped in script-codes.ts).
local E = {
  TASK_NOT_FOUND = -1, FILE_NOT_FOUND = -2, BATCH_NOT_FOUND = -3, LEASE_LOST = -4,
  INVALID_STATE = -5, BATCH_MISMATCH = -6, PARENT_NOT_COMPLETED = -7,
}
