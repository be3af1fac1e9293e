/**
 * Keys of `PipelineStore` (@covina/core).
 *
 * Every key of one pipeline carries the pipeline as a hash tag (`covina:{docs}:…`), so all of
 * them live in one Redis Cluster slot and every Lua script of the store stays atomic on a
 * cluster. A `PartitionedPipeline` is N such pipelines (`docs~0`, `docs~1`, …), one slot each.
 *
 * Per-task data lives in a few pipeline-wide hashes (field = task id) rather than one key per
 * task: a key costs ~80 bytes before it holds anything, a hash field ~40.
 */
export const pipelineTemplates = {
  /** Hash: task id → record (compact JSON meta, `\n`, inline payload, `\n`, inline result). */
  pipelineTasks: '{{pipeline}}:tasks',
  /** Hash: task id → payload too large to inline (JSON, or compressed with a one-byte codec tag). */
  pipelinePayloads: '{{pipeline}}:payloads',
  /** Hash: task id → result too large to inline (JSON, or compressed with a one-byte codec tag). */
  pipelineResults: '{{pipeline}}:results',
  /** Hash: task id → JSON array of failed attempts (error, attempt, worker, time), newest last. */
  pipelineErrorLog: '{{pipeline}}:error-log',
  /** Sorted set: delayed or backing-off task id → time it becomes ready (ms). */
  pipelineDelayed: '{{pipeline}}:delayed',
  /** Sorted set: active task id → lease expiry (ms). */
  pipelineLeases: '{{pipeline}}:leases',
  /** Sorted set: finished task id → time `cleanup()` may remove it (ms). */
  pipelineFinished: '{{pipeline}}:finished',
  /** Sorted set (dead letters): task id failed for good → failure time (ms). */
  pipelineDead: '{{pipeline}}:dead',
  /** Hash of counters: tasks by status and worker type, files by status. */
  pipelineCounts: '{{pipeline}}:counts',
  /** Hash: `c<second>` / `f<second>` → tasks completed / failed in that second (last ~2 minutes). */
  pipelineThroughput: '{{pipeline}}:throughput',
  /** Stream of every event, capped (`XADD MAXLEN ~`), for consumers that must not miss one. */
  pipelineEvents: '{{pipeline}}:events',
  /** Counter behind generated ids (batches, files, tasks). */
  pipelineSequence: '{{pipeline}}:seq',
  /** Hash: idempotency key → task id. */
  pipelineIdempotency: '{{pipeline}}:idempotency',
  /** Hash: file path → id of the latest file added with it. */
  pipelinePaths: '{{pipeline}}:paths',
  /** Hash: content hash → id of the first file added with it (de-duplication). */
  pipelineHashes: '{{pipeline}}:hashes',
  /** Sorted set: batch id → creation time (ms). */
  pipelineBatches: '{{pipeline}}:batches',
  /** Sorted set: completed batch id → time `cleanup()` may remove it with its files (ms). */
  pipelineExpiring: '{{pipeline}}:expiring',
  /** Hash: one batch (name, counters by status, done flag). */
  pipelineBatch: '{{pipeline}}:batch:{batchId}',
  /** Set: file ids of one batch. */
  pipelineBatchFiles: '{{pipeline}}:batch-files:{batchId}',
  /** Hash: one file (path, hash, name, size, mime type, status, progress, task counters). */
  pipelineFile: '{{pipeline}}:file:{fileId}',
  /** Hash: task id → task type, for the tasks of one file. */
  pipelineFileTasks: '{{pipeline}}:file-tasks:{fileId}',
  /** Sorted set: priorities that have ready tasks for one worker type (score = -priority). */
  pipelinePriorities: '{{pipeline}}:priorities:{workerType}',
  /** List: ready task ids of one worker type and priority, oldest first. */
  pipelineQueue: '{{pipeline}}:queue:{workerType}:{priority}',
  /** Pub/sub channel: every pipeline event as JSON (`task:completed`, `file:created`, …). */
  pipelineUpdatesChannel: 'job_updates',
  /** Pub/sub channel: work became ready for this worker type (message: the pipeline name). */
  pipelineWakeChannel: 'wake:{pipeline}:{workerType}',
} as const;
