import { createKeyRegistry } from '@covina/cache-keys';
import { type CovinaLogger, defaultLogger } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';
import { BackupOptionError } from './errors.js';
import type { ScopeDefinition } from './file/rows.js';
import type { SnapshotMethodOption } from './snapshot/take-snapshot.js';

/** What the backup needs of a PipelineStore: its pipeline's name and key names. */
export interface BackupStoreLike {
  readonly pipeline: string;
  readonly keys: { readonly tasks: string };
}

/** The key registry the backup formats and parses keys with (default templates). */
export type BackupKeyRegistry = ReturnType<typeof createKeyRegistry>;

export const DEFAULT_PATH = 'sqlite_db/redis_backups/redis_pipeline_backup.db';
export const DEFAULT_INTERVAL_SECONDS = 300;

export interface BackupManagerOptions {
  /** Client of the Redis (or Redis Cluster) holding the state; the manager never closes it. */
  redis: Redis | Cluster;
  /** The pipeline store to back up: its pipeline (every key under its hash tag) is one scope. */
  store?: BackupStoreLike;
  /**
   * More pipelines to back up, by name (keys under `<prefix>:{<name>}:`).
   * @default []
   */
  pipelines?: string[];
  /**
   * Key prefixes to back up besides pipeline state (e.g. `covina:state:`), as DUMP payloads.
   * @default []
   */
  prefixes?: string[];
  /**
   * Key prefix of the pipelines' keys (the key registry's prefix).
   * @default the store's, else 'covina'
   */
  keyPrefix?: string;
  /**
   * The backup file; older backups sit beside it as `<name>.<UTC stamp>.db`.
   * @default 'sqlite_db/redis_backups/redis_pipeline_backup.db'
   */
  path?: string;
  /**
   * Seconds between scheduled backups (`start()`).
   * @default COVINA_BACKUP_INTERVAL_SECONDS, else 300
   */
  intervalSeconds?: number;
  /**
   * Backups kept on disk (the newest good one is never deleted).
   * @default 5
   */
  keep?: number;
  /**
   * How a consistent copy is taken: `replication` (the server forks and streams an RDB, like for
   * a replica: needs the SYNC command), `tracked` (SCAN + DUMP with server-assisted change
   * tracking and a brief `CLIENT PAUSE WRITE`), or `auto` (replication where allowed).
   * @default 'auto'
   */
  method?: SnapshotMethodOption;
  /**
   * At `start()`, restore the backup when Redis holds no key of any backed-up scope.
   * @default false
   */
  restoreOnStart?: boolean;
  /**
   * Take a last backup in `stop()`.
   * @default true
   */
  backupOnStop?: boolean;
  /**
   * Take a backup as soon as `start()` is called (else after one interval).
   * @default false
   */
  backupOnStart?: boolean;
  /**
   * Tracked method: may writes be paused (`CLIENT PAUSE … WRITE`) for the final catch-up round?
   * @default true
   */
  pauseWrites?: boolean;
  /**
   * Tracked method: longest write pause in ms (Redis lifts it by itself after this).
   * @default 1000
   */
  maxPauseMs?: number;
  /**
   * Replication method: give up when the server sends nothing for this long, in ms.
   * @default 60_000
   */
  idleTimeoutMs?: number;
  /** Where to log. @default pino at COVINA_LOG_LEVEL (silent unless set) */
  logger?: CovinaLogger;
}

export interface ResolvedBackupOptions {
  redis: Redis | Cluster;
  registry: BackupKeyRegistry;
  scopes: ScopeDefinition[];
  pipelines: string[];
  path: string;
  intervalMs: number;
  keep: number;
  method: SnapshotMethodOption;
  restoreOnStart: boolean;
  backupOnStop: boolean;
  backupOnStart: boolean;
  pauseWrites: boolean;
  maxPauseMs: number;
  idleTimeoutMs: number;
  logger: CovinaLogger;
}

function bad(field: string, value: unknown, expected: string): BackupOptionError {
  return new BackupOptionError(`Option "${field}" must be ${expected}, got ${JSON.stringify(value)}`, {
    context: { field, value: String(value) },
  });
}

function positiveInt(field: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw bad(field, value, `an integer >= ${min}`);
  }
  return value;
}

function intervalFromEnv(): number | undefined {
  const raw = process.env.COVINA_BACKUP_INTERVAL_SECONDS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw bad('COVINA_BACKUP_INTERVAL_SECONDS', raw, 'a number of seconds > 0');
  return value;
}

/** The key prefix of a store's keys: what precedes `:{<pipeline>}:` in its key names. */
export function storeKeyPrefix(store: BackupStoreLike): string {
  const marker = `:{${store.pipeline}}:`;
  const at = store.keys.tasks.indexOf(marker);
  if (at <= 0) throw bad('store', store.keys.tasks, `a PipelineStore whose keys contain ${marker}`);
  return store.keys.tasks.slice(0, at);
}

/** The scope of one pipeline: every key under `<prefix>:{<pipeline>}:` (one cluster slot). */
export function pipelineScope(registry: BackupKeyRegistry, pipeline: string): ScopeDefinition {
  // Formatting a real key validates the name (KeyParamError) and pins the documented shape.
  const key = registry.formatDynamic('pipelineTasks', { pipeline });
  const prefix = `${registry.prefix}:{${pipeline}}:`;
  if (!key.startsWith(prefix)) throw bad('pipelines', pipeline, `a pipeline whose keys start with ${prefix}`);
  return { name: `pipeline:${pipeline}`, kind: 'pipeline', pipeline, prefix };
}

export function resolveBackupOptions(options: BackupManagerOptions): ResolvedBackupOptions {
  if (typeof options !== 'object' || options === null) throw bad('options', options, 'an object');
  if (options.redis === undefined || options.redis === null)
    throw bad('redis', options.redis, 'an ioredis Redis or Cluster');
  const keyPrefix = options.keyPrefix ?? (options.store ? storeKeyPrefix(options.store) : 'covina');
  const registry = createKeyRegistry({ prefix: keyPrefix });
  const pipelines = [
    ...new Set([...(options.store ? [options.store.pipeline] : []), ...(options.pipelines ?? [])]),
  ];
  const scopes: ScopeDefinition[] = pipelines.map((p) => {
    try {
      return pipelineScope(registry, p);
    } catch (error) {
      if (error instanceof BackupOptionError) throw error;
      throw bad('pipelines', p, 'a valid pipeline name');
    }
  });
  for (const [i, prefix] of (options.prefixes ?? []).entries()) {
    if (typeof prefix !== 'string' || prefix.length === 0 || /[*?[\]\\]/.test(prefix)) {
      throw bad(`prefixes[${i}]`, prefix, 'a non-empty key prefix without glob characters');
    }
    scopes.push({ name: `prefix:${prefix}`, kind: 'prefix', pipeline: null, prefix });
  }
  if (scopes.length === 0)
    throw bad('store', undefined, 'given (or pipelines / prefixes): nothing to back up');
  const method = options.method ?? 'auto';
  if (!['auto', 'replication', 'tracked'].includes(method))
    throw bad('method', method, "'auto', 'replication' or 'tracked'");
  const intervalSeconds = options.intervalSeconds ?? intervalFromEnv() ?? DEFAULT_INTERVAL_SECONDS;
  if (typeof intervalSeconds !== 'number' || !Number.isFinite(intervalSeconds) || intervalSeconds <= 0) {
    throw bad('intervalSeconds', intervalSeconds, 'a number of seconds > 0');
  }
  const path = options.path ?? DEFAULT_PATH;
  if (typeof path !== 'string' || path.trim() === '') throw bad('path', path, 'a file path');
  return {
    redis: options.redis,
    registry,
    scopes,
    pipelines,
    path,
    intervalMs: Math.round(intervalSeconds * 1000),
    keep: positiveInt('keep', options.keep, 5),
    method,
    restoreOnStart: options.restoreOnStart ?? false,
    backupOnStop: options.backupOnStop ?? true,
    backupOnStart: options.backupOnStart ?? false,
    pauseWrites: options.pauseWrites ?? true,
    maxPauseMs: positiveInt('maxPauseMs', options.maxPauseMs, 1000, 10),
    idleTimeoutMs: positiveInt('idleTimeoutMs', options.idleTimeoutMs, 60_000, 100),
    logger: options.logger ?? defaultLogger(),
  };
}
