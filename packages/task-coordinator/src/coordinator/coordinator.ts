import {
  isCovinaError,
  type NewTask,
  type PipelineStore,
  type TaskErrorEntry,
  type TaskRecord,
  ValidationError,
} from '@covina/core';
import { failOption } from '../locks/validate.js';
import type { WorkerRecord } from '../registry/worker-record.js';
import { WorkerRegistry } from '../registry/worker-registry.js';
import { KEY_PART } from '../worker/options.js';
import { storePrefix } from '../worker/store-prefix.js';
import { type ClusterStats, collectClusterStats } from './cluster-stats.js';
import type { CoordinatorOptions, SubmitTaskInput } from './options.js';

/** A task failed for good, with its failed attempts. */
export type DeadLetter = TaskRecord & { errors: TaskErrorEntry[] };

/** Delay a purged dead letter gets between its retry and its cancellation: it never runs. */
const PURGE_PARKING_MS = 365 * 86_400_000;
const PURGE_REASON = 'purged from the dead-letter queue';

/**
 * The operator's side of a pipeline: submit tasks, see the cluster (workers alive by type,
 * tasks by status, throughput, the oldest ready task), and work the dead-letter queue. The
 * `covina-coordinator` CLI is built on it.
 *
 * ```ts
 * const coordinator = new Coordinator({ store });
 * const id = await coordinator.submitTask({ taskType: 'ocr', taskData: { document_uuid: 'd-1' } });
 * const stats = await coordinator.getClusterStats();
 * ```
 */
export class Coordinator {
  readonly store: PipelineStore;
  readonly registry: WorkerRegistry;
  readonly #ownsRegistry: boolean;

  constructor(options: CoordinatorOptions) {
    if (typeof options?.store?.addTaskToBatch !== 'function')
      failOption('store', 'a PipelineStore', options?.store);
    this.store = options.store;
    this.#ownsRegistry = options.registry === undefined;
    this.registry =
      options.registry ??
      new WorkerRegistry({
        redis: options.store.redis,
        namespace: options.store.pipeline,
        prefix: options.prefix ?? storePrefix(options.store),
      });
  }

  /**
   * Adds one task (through `addTaskToBatch`) and returns its id. `taskData` becomes the task's
   * payload; the worker type defaults to the task type.
   * @throws ValidationError naming the field at fault; nothing is written then
   */
  async submitTask<Data>(input: SubmitTaskInput<Data>): Promise<string> {
    return this.store.addTaskToBatch(toNewTask(input));
  }

  /** Workers alive by type, tasks by status per type, throughput per minute, oldest ready task. */
  async getClusterStats(): Promise<ClusterStats> {
    const [stats, workers] = await Promise.all([this.store.getStats(), this.registry.listWorkers()]);
    return collectClusterStats(this.store, stats, workers);
  }

  /** The pipeline's workers (alive, dead, recently recovered). */
  listWorkers(): Promise<WorkerRecord[]> {
    return this.registry.listWorkers();
  }

  /** A page of dead letters, oldest failure first. */
  listDeadLetters(options: { cursor?: string; limit?: number } = {}): Promise<{
    tasks: DeadLetter[];
    cursor: string | null;
  }> {
    return this.store.listDeadLetters(options);
  }

  /** Runs a dead letter again (attempts reset) and revives the descendants its failure cancelled. */
  retryDeadLetter(taskId: string): Promise<{ revived: number }> {
    return this.store.retryTask(taskId);
  }

  /**
   * Empties the dead-letter queue: each dead letter becomes `cancelled` (reason "purged from
   * the dead-letter queue"), so the store's `cleanup()` removes it after the normal retention
   * instead of the dead-letter one. Returns how many were purged.
   */
  async purgeDeadLetters(options: { limit?: number } = {}): Promise<{ purged: number }> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let purged = 0;
    for (let round = 0; round < 10_000 && purged < limit; round++) {
      const page = await this.store.listDeadLetters({ limit: Math.min(500, limit - purged) });
      if (page.tasks.length === 0) break;
      for (const task of page.tasks) {
        if (await this.#purge(task.id)) purged++;
      }
    }
    return { purged };
  }

  /** Closes the registry this coordinator made (the store and its client stay open). */
  async close(): Promise<void> {
    if (this.#ownsRegistry) await this.registry.close();
  }

  /** Out of the dead-letter set with the store's own transitions: retry parked far away, then cancel. */
  async #purge(taskId: string): Promise<boolean> {
    try {
      await this.store.retryTask(taskId, { delayMs: PURGE_PARKING_MS, resetAttempts: false });
    } catch (error) {
      // Retried or removed meanwhile: not a dead letter any more.
      if (isCovinaError(error, 'E_INVALID_STATE') || isCovinaError(error, 'E_TASK_NOT_FOUND')) return false;
      throw error;
    }
    await this.store.cancelTask(taskId, { reason: PURGE_REASON });
    return true;
  }
}

function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !KEY_PART.test(value)) {
    throw new ValidationError(field, 'must be 1 to 100 letters, digits or `_-.~/@+=`');
  }
  return value;
}

/** The store's task from the coordinator's input, checking what the store would name differently. */
function toNewTask<Data>(input: SubmitTaskInput<Data>): NewTask<Data> {
  if (typeof input !== 'object' || input === null) throw new ValidationError('task', 'must be an object');
  const { taskType, taskData, workerType, ...rest } = input;
  checkName('taskType', taskType);
  if (workerType !== undefined) checkName('workerType', workerType);
  if (taskData !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(taskData);
    } catch (error) {
      throw new ValidationError('taskData', 'must be JSON-serialisable', error);
    }
    if (json === undefined) throw new ValidationError('taskData', 'must be JSON-serialisable');
  }
  return {
    ...rest,
    taskType,
    workerType: workerType ?? taskType,
    ...(taskData === undefined ? {} : { payload: taskData }),
  };
}
