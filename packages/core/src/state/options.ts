import type { KeyRegistry } from '@covina/cache-keys';
import type { Cluster, Redis } from 'ioredis';

/** What the store needs of a `KeyRegistry`: any registry holding the default templates fits. */
export type StateKeyRegistry = Pick<KeyRegistry, 'has' | 'pattern' | 'parse' | 'formatDynamic'>;

export interface StateStoreOptions {
  /** An ioredis client or Cluster. The store never connects, quits or reconfigures it. */
  redis: Redis | Cluster;
  /**
   * The store's namespace: its keys are `<prefix>:state:<namespace>:<key>`. Any non-empty
   * string (percent-encoded in keys like user keys are). Two stores share entries exactly when
   * they share prefix and namespace.
   */
  namespace: string;
  /**
   * Key registry to build keys from (share the app's registry to share its prefix).
   * @default createKeyRegistry({ prefix })
   */
  keys?: StateKeyRegistry;
  /**
   * Key prefix of the registry the store creates when `keys` is not given.
   * @default 'covina'
   */
  prefix?: string;
  /**
   * Largest value accepted, in bytes; a larger one is rejected with
   * `StatePayloadTooLargeError` before anything is sent (Redis itself stops at 512 MiB).
   * @default 16 * 1024 * 1024
   */
  maxValueBytes?: number;
  /**
   * TTL given to entries written by `put`, `batchPut` and `setIfNotExists` without one, in
   * milliseconds. Unset: such entries never expire.
   * @default undefined
   */
  defaultTtlMs?: number;
  /**
   * Keys per round trip in batch operations, checkpoints and restores.
   * @default 1000
   */
  batchSize?: number;
  /**
   * COUNT hint of each SCAN call (how much work Redis does per call).
   * @default 1000
   */
  scanCount?: number;
  /**
   * Time budget of one SCAN-based call (`listKeys`, `count`, `clear`, `checkpoint`, `restore`,
   * `memoryUsage`); past it the call fails with `StateScanTimeoutError`.
   * @default 60_000
   */
  scanTimeBudgetMs?: number;
}

/** Options of the SCAN-based methods. */
export interface StateScanOptions {
  /** Stops the scan with `StateAbortedError`. */
  signal?: AbortSignal;
  /**
   * Overrides the store's `scanTimeBudgetMs` for this call.
   * @default options.scanTimeBudgetMs
   */
  timeBudgetMs?: number;
}

export const STATE_DEFAULTS = {
  prefix: 'covina',
  maxValueBytes: 16 * 1024 * 1024,
  batchSize: 1000,
  scanCount: 1000,
  scanTimeBudgetMs: 60_000,
} as const;
