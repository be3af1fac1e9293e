import type { Cluster, Redis } from 'ioredis';
import type { CoordinationKeys } from '../locks/keys.js';
import type { LockManager } from '../locks/lock-manager.js';
import type { WorkerRecord } from './worker-record.js';

export interface WorkerRegistryOptions {
  /** The client every script runs on: an ioredis `Redis` or `Cluster`. */
  redis: Redis | Cluster;
  /**
   * Which registry: usually the pipeline's name, so the worker keys share that pipeline's hash
   * slot (`covina:{docs}:workers`); `global` for workers that serve every pipeline.
   * @default 'global'
   */
  namespace?: string;
  /**
   * Key registry the keys are built from (it must know `coordinationTemplates`).
   * @default createKeyRegistry({ prefix })
   */
  keys?: CoordinationKeys;
  /**
   * Key prefix of the default registry (ignored when `keys` is given).
   * @default 'covina'
   */
  prefix?: string;
  /**
   * Lock manager for the sweep lock (only one process sweeps at a time).
   * @default a manager on `redis` with the same keys, closed by `close()`
   */
  locks?: LockManager;
  /**
   * Receives background errors no caller awaits: failed heartbeats, failed sweeps, a failing
   * `onWorkerDead`. Never receives session tokens.
   * @default ignore them
   */
  onError?: (error: unknown) => void;
}

export interface RegisterWorkerOptions {
  /**
   * Unique id of this worker session (no whitespace, `:`, `{` or `}`). It is what task leases
   * name, so a restarted process should not reuse its predecessor's id before that one was
   * recovered (`WorkerIdTakenError`).
   * @default `<host>-<pid>-<random>`
   */
  id?: string;
  /** @default os.hostname() */
  host?: string;
  /** @default process.pid */
  pid?: number;
  /**
   * Worker types this process claims tasks for (`pre`, `nlp`…).
   * @default []
   */
  workerTypes?: readonly string[];
  /**
   * How many tasks it runs at once.
   * @default 1
   */
  concurrency?: number;
  /**
   * Version of the worker's code, for rollouts.
   * @default '0.0.0'
   */
  version?: string;
  /** Anything else worth listing with the worker (JSON-serialisable). @default {} */
  meta?: Record<string, unknown>;
  /**
   * Heartbeat period in ms.
   * @default 5_000
   */
  heartbeatMs?: number;
  /**
   * Missed heartbeats after which the worker counts as dead (its deadline is
   * `heartbeatMs × missedHeartbeats` after the last heartbeat).
   * @default 3
   */
  missedHeartbeats?: number;
  /** First status, as `setStatus` would send it. @default none */
  status?: Record<string, unknown>;
}

/** What `onWorkerDead` receives besides the worker. */
export interface DeadWorkerContext {
  /** Aborts if this sweeper loses its sweep lock: stop, another sweeper will retry. */
  signal: AbortSignal;
}

/**
 * Called once per dead worker, by one sweeper: hand the worker's tasks back (e.g.
 * `(worker) => store.releaseTasksOfWorker(worker.id)`); a returned promise is awaited. If it
 * throws, the worker stays claimed and is offered again after `claimMs` (to this or another
 * process).
 */
export type OnWorkerDead = (worker: WorkerRecord, context: DeadWorkerContext) => unknown;

export interface SweepOptions {
  /** What to do with each dead worker. @default nothing (they are only marked recovered) */
  onWorkerDead?: OnWorkerDead;
  /**
   * How long a claimed dead worker stays reserved for the sweeper that claimed it; if its
   * recovery is not confirmed by then (the sweeper crashed, `onWorkerDead` failed), it is
   * offered again. Long, so a slow `onWorkerDead` is not repeated by another sweeper.
   * @default 60_000
   */
  claimMs?: number;
  /**
   * Lease of the sweep lock, renewed every third of it while the sweep runs. Short, so a
   * sweeper killed mid-sweep holds up the sweeps of other processes for at most this long
   * (the dead workers it had claimed come back after `claimMs`).
   * @default 5_000
   */
  lockMs?: number;
  /**
   * Dead workers claimed per round trip.
   * @default 100
   */
  batchSize?: number;
  /**
   * How long recovered workers stay listed by `listWorkers()` as dead.
   * @default 3_600_000 (one hour)
   */
  retentionMs?: number;
}

export interface SweeperOptions extends SweepOptions {
  /**
   * Pause between sweeps in ms (jittered by ±10 %). Detection takes the dead worker's deadline
   * plus up to this long.
   * @default 5_000
   */
  intervalMs?: number;
}

export const REGISTRY_DEFAULTS = {
  namespace: 'global',
  heartbeatMs: 5_000,
  missedHeartbeats: 3,
  claimMs: 60_000,
  lockMs: 5_000,
  batchSize: 100,
  retentionMs: 3_600_000,
  intervalMs: 5_000,
} as const;
