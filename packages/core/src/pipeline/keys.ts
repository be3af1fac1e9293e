import type { KeyRegistry } from '@covina/cache-keys';

/** What the store needs of a key registry (any `createKeyRegistry()` result fits). */
export type KeyFormatter = Pick<KeyRegistry, 'formatDynamic' | 'prefix'>;
type Registry = KeyFormatter;

/**
 * The key a template gives, cut before its trailing parameters: Lua scripts append those
 * (a child task's file id, worker type…) joined by `:`, since they only learn them while running.
 */
function stem(keys: Registry, name: string, fixed: Record<string, string>, trailing: string[]): string {
  const sentinels = trailing.map((_, i) => `STEM${i}MARK`);
  const params = { ...fixed, ...Object.fromEntries(trailing.map((p, i) => [p, sentinels[i]!])) };
  const full = keys.formatDynamic(name, params);
  const tail = sentinels.join(':');
  if (!full.endsWith(tail)) {
    throw new Error(`Key template "${name}" must end with its parameters ${trailing.join(', ')}`);
  }
  return full.slice(0, full.length - tail.length);
}

/** Every key and channel of one pipeline, formatted once. */
export interface PipelineKeys {
  /** KEYS of every script, in the order of lua/includes/context.lua. */
  readonly scriptKeys: readonly string[];
  readonly tasks: string;
  readonly payloads: string;
  readonly results: string;
  readonly errorLog: string;
  readonly delayed: string;
  readonly leases: string;
  readonly finished: string;
  readonly dead: string;
  readonly counts: string;
  readonly throughput: string;
  readonly events: string;
  readonly paths: string;
  readonly hashes: string;
  readonly batches: string;
  /** Stems, ARGV[2..8] of every script. */
  readonly stems: readonly string[];
  readonly updatesChannel: string;
  batch(batchId: string): string;
  batchFiles(batchId: string): string;
  file(fileId: string): string;
  fileTasks(fileId: string): string;
  priorities(workerType: string): string;
  queue(workerType: string, priority: number | string): string;
  wakeChannel(workerType: string): string;
}

export function pipelineKeys(keys: Registry, pipeline: string): PipelineKeys {
  const k = (name: string) => keys.formatDynamic(name, { pipeline });
  const scriptKeys = [
    'pipelineTasks',
    'pipelinePayloads',
    'pipelineResults',
    'pipelineErrorLog',
    'pipelineDelayed',
    'pipelineLeases',
    'pipelineFinished',
    'pipelineDead',
    'pipelineCounts',
    'pipelineThroughput',
    'pipelineEvents',
    'pipelineSequence',
    'pipelineIdempotency',
    'pipelinePaths',
    'pipelineHashes',
    'pipelineBatches',
    'pipelineExpiring',
  ].map(k);
  const at = (i: number) => scriptKeys[i]!;
  const stems = [
    stem(keys, 'pipelineBatch', { pipeline }, ['batchId']),
    stem(keys, 'pipelineBatchFiles', { pipeline }, ['batchId']),
    stem(keys, 'pipelineFile', { pipeline }, ['fileId']),
    stem(keys, 'pipelineFileTasks', { pipeline }, ['fileId']),
    stem(keys, 'pipelinePriorities', { pipeline }, ['workerType']),
    stem(keys, 'pipelineQueue', { pipeline }, ['workerType', 'priority']),
    stem(keys, 'pipelineWakeChannel', { pipeline }, ['workerType']),
  ];
  const f = (name: string, params: Record<string, string | number>) =>
    keys.formatDynamic(name, { pipeline, ...params });
  return {
    scriptKeys,
    tasks: at(0),
    payloads: at(1),
    results: at(2),
    errorLog: at(3),
    delayed: at(4),
    leases: at(5),
    finished: at(6),
    dead: at(7),
    counts: at(8),
    throughput: at(9),
    events: at(10),
    paths: at(13),
    hashes: at(14),
    batches: at(15),
    stems,
    updatesChannel: keys.formatDynamic('pipelineUpdatesChannel', {}),
    batch: (batchId) => f('pipelineBatch', { batchId }),
    batchFiles: (batchId) => f('pipelineBatchFiles', { batchId }),
    file: (fileId) => f('pipelineFile', { fileId }),
    fileTasks: (fileId) => f('pipelineFileTasks', { fileId }),
    priorities: (workerType) => f('pipelinePriorities', { workerType }),
    queue: (workerType, priority) => f('pipelineQueue', { workerType, priority }),
    wakeChannel: (workerType) => f('pipelineWakeChannel', { workerType }),
  };
}
