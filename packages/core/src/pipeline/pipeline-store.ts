import { createKeyRegistry } from '@covina/cache-keys';
import type { Cluster, Redis } from 'ioredis';
import { type ConnectionStatus, getConnectionStatus } from '../connection/status.js';
import { ValidationError } from './errors.js';
import { type KeyFormatter, type PipelineKeys, pipelineKeys } from './keys.js';
import { type PipelineStoreOptions, type ResolvedPipelineOptions, resolveOptions } from './options.js';
import { createCore, type StoreCore } from './store/core.js';
import { destroyPipeline } from './store/destroy.js';
import {
  type EventSubscription,
  type PipelineEventListener,
  type ReadEventsOptions,
  readEvents,
  type SubscribeOptions,
  subscribeEvents,
} from './store/events.js';
import * as files from './store/files.js';
import { MicroBatcher } from './store/micro-batcher.js';
import * as read from './store/read-tasks.js';
import { getStats } from './store/stats.js';
import { WorkSignal } from './store/work-signal.js';
import * as write from './store/write-tasks.js';
import type {
  AddFileResult,
  BatchProgress,
  BatchRecord,
  ClaimedTaskRecord,
  ClaimOptions,
  FileStatus,
  ListTasksOptions,
  NewBatch,
  NewFile,
  NewTask,
  PipelineFileRecord,
  PipelineStats,
  StreamEvent,
  TaskErrorEntry,
  TaskPage,
  TaskRecord,
  TaskStatus,
  UpdateTaskOptions,
} from './types.js';
import { checkInt, checkKeyPart, checkObject } from './validate.js';

/** Most getNextTask calls of one process served by one claim call (see getNextTask). */
const CLAIM_BATCH = 32;

/** `addTasks` naming its tasks as the caller's array does (for PartitionedPipeline); internal. */
export const ADD_TASKS_NAMED = Symbol('addTasksNamed');

export interface WaitForWorkOptions {
  /**
   * Longest wait, in ms (it is shorter when a delayed task is due sooner).
   * @default 5000
   */
  timeoutMs?: number;
  /** Stops the wait early (resolves false). */
  signal?: AbortSignal;
}

/**
 * Files, batches and a prioritized task DAG on Redis, for many workers at once.
 *
 * Every state change is one Lua script over keys that share the pipeline's hash slot, so it is
 * atomic and works on Redis Cluster; every change publishes an event on `job_updates` and
 * appends it to a capped stream. See the package README for the data layout and guarantees.
 */
export class PipelineStore {
  /** The pipeline's name (the hash tag of its keys). */
  readonly pipeline: string;
  readonly redis: Redis | Cluster;
  /** The pipeline's keys and channels. */
  readonly keys: PipelineKeys;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedPipelineOptions>;
  readonly #core: StoreCore;
  #signal: WorkSignal | undefined;
  readonly #nextDueAt = new Map<string, number>();
  readonly #claimers = new Map<string, MicroBatcher<null, ClaimedTaskRecord | null>>();

  constructor(options: PipelineStoreOptions) {
    const resolved = resolveOptions(options);
    if (options.redis === undefined || options.redis === null) {
      throw new ValidationError('options.redis', 'must be an ioredis Redis or Cluster client');
    }
    const registry: KeyFormatter = options.keys ?? createKeyRegistry({ prefix: options.prefix ?? 'covina' });
    this.pipeline = resolved.pipeline;
    this.redis = options.redis;
    this.options = Object.freeze(resolved);
    this.keys = pipelineKeys(registry, resolved.pipeline);
    this.#core = createCore(options.redis, this.keys, resolved);
  }

  // ---- batches and files -------------------------------------------------------------------

  /** Creates a batch; returns its id. */
  createBatch(batch: NewBatch = {}): Promise<string> {
    return files.createBatch(this.#core, batch);
  }

  getBatch(batchId: string): Promise<BatchRecord | null> {
    return files.getBatch(this.#core, batchId);
  }

  /** Tasks and files of a batch by status, percent finished, and whether it is done. */
  getBatchProgress(batchId: string): Promise<BatchProgress> {
    return files.getBatchProgress(this.#core, batchId);
  }

  /**
   * Adds a file to a batch and returns its id. With de-duplication (`dedupe` or the store's
   * `dedupeByHash`), a file whose hash is known is not added: its id is returned (and a
   * `file:duplicate` event published); `addFile` tells which happened.
   */
  async addFileToBatch(file: NewFile): Promise<string> {
    return (await files.addFile(this.#core, file)).fileId;
  }

  /** `addFileToBatch`, telling whether the file was a duplicate. */
  addFile(file: NewFile): Promise<AddFileResult> {
    return files.addFile(this.#core, file);
  }

  getFileById(fileId: string): Promise<PipelineFileRecord | null> {
    return files.getFileById(this.#core, fileId);
  }

  /** The latest file added with this path. */
  getFileByPath(path: string): Promise<PipelineFileRecord | null> {
    return files.getFileByIndex(this.#core, 'paths', path);
  }

  /** The first file added with this content hash. */
  getFileByHash(hash: string): Promise<PipelineFileRecord | null> {
    return files.getFileByIndex(this.#core, 'hashes', hash);
  }

  getFilesOfBatch(batchId: string): Promise<PipelineFileRecord[]> {
    return files.getFilesOfBatch(this.#core, batchId);
  }

  /** Sets a file's status (and/or progress, error). Publishes `file:<status>` or `file:progress`. */
  updateFileStatus(fileId: string, status: FileStatus, options: files.UpdateFileOptions = {}): Promise<void> {
    return files.updateFileStatus(this.#core, fileId, status, options);
  }

  // ---- adding and reading tasks --------------------------------------------------------------

  /** Adds one task; returns its id (the existing task's id when its idempotency key is known). */
  async addTaskToBatch<P>(task: NewTask<P>): Promise<string> {
    return (await write.addTasks(this.#core, [task], () => 'task'))[0]!;
  }

  /**
   * Adds many tasks in chunked round trips (`bulkChunkSize`, each chunk atomic) and returns
   * their ids in order. Tasks of the call may depend on each other (`ref` / `dependsOn`, and
   * `afterTasks` within a file), in any order; a cycle is refused before anything is written.
   */
  addTasks<P>(tasks: readonly NewTask<P>[]): Promise<string[]> {
    return write.addTasks(this.#core, tasks, (i) => `tasks[${i}]`);
  }

  /** @internal */
  [ADD_TASKS_NAMED]<P>(tasks: readonly NewTask<P>[], fieldOf: (index: number) => string): Promise<string[]> {
    return write.addTasks(this.#core, tasks, fieldOf);
  }

  getTask<P = unknown, R = unknown>(taskId: string): Promise<TaskRecord<P, R> | null> {
    return read.getTask(this.#core, taskId) as Promise<TaskRecord<P, R> | null>;
  }

  /** Several tasks in one round trip, in the order given (unknown ids are left out). */
  getTasks(taskIds: readonly string[]): Promise<TaskRecord[]> {
    return read.getTasks(this.#core, taskIds);
  }

  /** The tasks of a file, oldest first. */
  getTasksForFile(fileId: string): Promise<TaskRecord[]> {
    return read.getTasksForFile(this.#core, fileId);
  }

  /** A page of tasks, filtered by status, worker type and/or file. */
  listTasks(options: ListTasksOptions = {}): Promise<TaskPage> {
    return read.listTasks(this.#core, options);
  }

  /** The failed attempts of a task, oldest first (at most `errorHistoryLimit`). */
  getTaskErrors(taskId: string): Promise<TaskErrorEntry[]> {
    return read.getTaskErrors(this.#core, taskId);
  }

  /** Tasks failed for good, with their error history. */
  listDeadLetters(options: { cursor?: string; limit?: number } = {}) {
    return read.listDeadLetters(this.#core, options);
  }

  // ---- claiming and reporting ----------------------------------------------------------------

  /**
   * Claims the next ready task of a worker type (highest priority, oldest first) under a lease;
   * null when none is ready. Atomic: no task is ever held by two workers at once.
   */
  async getNextTask<P = unknown>(
    workerType: string,
    options: ClaimOptions = {},
  ): Promise<ClaimedTaskRecord<P> | null> {
    const type = checkKeyPart('workerType', workerType, 100);
    const { workerId, leaseMs } = write.claimOptions(this.#core, options);
    // Claims made together (many workers of one process) share a script call, CLAIM_BATCH at
    // most: smaller calls in flight together keep Redis busy while this process handles the
    // tasks of the last one (100 getNextTask loops: 15k -> 22k tasks/s, one call -> calls of 32).
    const key = `${type}\n${workerId}\n${leaseMs}`;
    let claimer = this.#claimers.get(key);
    if (!claimer) {
      if (this.#claimers.size >= 1000) this.#claimers.clear();
      claimer = new MicroBatcher(async (waiting: null[]) => {
        const claimed = await this.claimTasks(type, waiting.length, { workerId, leaseMs });
        return waiting.map((_, i) => claimed[i] ?? null);
      }, CLAIM_BATCH);
      this.#claimers.set(key, claimer);
    }
    return (await claimer.add(null)) as ClaimedTaskRecord<P> | null;
  }

  /** Claims up to `count` ready tasks of a worker type in one atomic step. */
  async claimTasks<P = unknown>(
    workerType: string,
    count: number,
    options: ClaimOptions = {},
  ): Promise<ClaimedTaskRecord<P>[]> {
    const { tasks, nextDueAt } = await write.claimTasks(this.#core, workerType, count, options);
    if (nextDueAt === null) this.#nextDueAt.delete(workerType);
    else this.#nextDueAt.set(workerType, nextDueAt);
    return tasks as ClaimedTaskRecord<P>[];
  }

  /**
   * The lease holder reports on a task: `completed` (with `resultData`), `failed` (with
   * `error`; retried with backoff while attempts remain), `active` (with `progress`), `ready`
   * (gives it back) or `cancelled`. A stale token gets `LeaseLostError` and changes nothing.
   * Returns the task's status afterwards (`delayed` for a failure that will be retried).
   */
  updateTaskStatus<R>(
    taskId: string,
    status: TaskStatus,
    options: UpdateTaskOptions<R>,
  ): Promise<TaskStatus> {
    return write.updateTaskStatus(this.#core, taskId, status, options);
  }

  /** Reports progress (0..100) of a claimed task; publishes `task:progress`. */
  reportProgress(taskId: string, leaseToken: string, progress: number): Promise<void> {
    return write.reportProgress(this.#core, taskId, leaseToken, progress);
  }

  /** Extends a lease to `leaseMs` from now (default: the store's `leaseMs`); returns the new expiry. */
  extendLease(taskId: string, leaseToken: string, leaseMs?: number): Promise<number> {
    return write.extendLease(this.#core, taskId, leaseToken, leaseMs);
  }

  /** Gives a claimed task back unfinished: the attempt does not count. */
  releaseTask(taskId: string, leaseToken: string, options: { delayMs?: number } = {}): Promise<void> {
    return write.releaseTask(this.#core, taskId, leaseToken, options);
  }

  // ---- recovery and administration -----------------------------------------------------------

  /**
   * Recovers active tasks whose lease expired (back to ready, the attempt counted; failed for
   * good when none remain) and makes due delayed tasks ready. Any process may call it, any time.
   */
  recoverExpiredLeases(options: { limit?: number } = {}): Promise<{ recovered: number; promoted: number }> {
    return write.recoverExpiredLeases(this.#core, options);
  }

  /** Recovers now every task a (dead) worker holds, as if its leases had expired. */
  releaseTasksOfWorker(workerId: string): Promise<number> {
    return write.releaseTasksOfWorker(this.#core, workerId);
  }

  /**
   * Runs a failed or cancelled task again (it leaves the dead-letter set) and revives the
   * descendants its end had cancelled.
   */
  retryTask(
    taskId: string,
    options: { delayMs?: number; resetAttempts?: boolean } = {},
  ): Promise<{ revived: number }> {
    return write.retryTask(this.#core, taskId, options);
  }

  /** Cancels a task that has not finished, and all its open descendants. */
  cancelTask(
    taskId: string,
    options: { reason?: string } = {},
  ): Promise<{ cancelled: boolean; descendants: number }> {
    return write.cancelTask(this.#core, taskId, options);
  }

  /**
   * Removes finished tasks older than their retention, then completed batches (with their files)
   * older than theirs. Bounded work per round trip; call it periodically.
   */
  cleanup(
    options: { limit?: number; maxRounds?: number } = {},
  ): Promise<{ tasks: number; files: number; batches: number }> {
    return write.cleanup(this.#core, options);
  }

  // ---- observing ------------------------------------------------------------------------------

  /** Counts by status and worker type, active files and tasks, throughput, Redis memory. */
  getStats(): Promise<PipelineStats> {
    return getStats(this.#core);
  }

  getConnectionStatus(): Promise<ConnectionStatus> {
    return getConnectionStatus(this.redis);
  }

  /** Live events of this pipeline (`job_updates` pub/sub), on a connection of their own. */
  subscribe(listener: PipelineEventListener, options: SubscribeOptions = {}): Promise<EventSubscription> {
    return subscribeEvents(this.#core, listener, options);
  }

  /** Events from the capped stream after a stream id (none missed while it holds them). */
  readEvents(options: ReadEventsOptions = {}): Promise<StreamEvent[]> {
    return readEvents(this.#core, options);
  }

  // ---- waiting for work -----------------------------------------------------------------------

  /** Subscribes ahead to the wake-ups of these worker types (see `waitForWork`). */
  watchWork(workerTypes: readonly string[]): Promise<void> {
    const types = workerTypes.map((t, i) => checkKeyPart(`workerTypes[${i}]`, t, 100));
    this.#signal ??= new WorkSignal(this.#core);
    return this.#signal.watch(types);
  }

  /**
   * Waits until work may be ready for a worker type: a wake-up published by whatever made a
   * task ready, the time the next delayed task is due, `timeoutMs`, or the abort signal.
   * Resolves true when woken. Use it when a claim returned nothing; a wake-up that came between
   * the claim and this call is not lost once the worker type is watched (`watchWork`).
   */
  async waitForWork(workerType: string, options: WaitForWorkOptions = {}): Promise<boolean> {
    const type = checkKeyPart('workerType', workerType, 100);
    const opts = checkObject<WaitForWorkOptions>('options', options);
    let timeout =
      opts.timeoutMs === undefined ? 5000 : checkInt('options.timeoutMs', opts.timeoutMs, 0, 86_400_000);
    const due = this.#nextDueAt.get(type);
    if (due !== undefined) timeout = Math.max(0, Math.min(timeout, due - Date.now() + 5));
    this.#signal ??= new WorkSignal(this.#core);
    return this.#signal.wait(type, timeout, opts.signal);
  }

  /**
   * Deletes every key of this pipeline (tasks, files, batches, counters, events): SCAN + UNLINK.
   * Irreversible; for tests, demos and decommissioning. Returns how many keys were deleted.
   */
  destroy(): Promise<number> {
    return destroyPipeline(this.#core);
  }

  /** Closes the store's own connections (wake-up subscriber); the client passed in stays open. */
  async close(): Promise<void> {
    await this.#signal?.close();
    this.#signal = undefined;
  }
}
