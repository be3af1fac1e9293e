import type { ConnectionStatus } from '../connection/status.js';
import { ValidationError } from './errors.js';
import type { PipelineStoreOptions } from './options.js';
import {
  partitionIdPrefix,
  partitionName,
  partitionOfId,
  requirePartition,
  routeKey,
} from './partition-routing.js';
import { ADD_TASKS_NAMED, PipelineStore, type WaitForWorkOptions } from './pipeline-store.js';
import type { EventSubscription, PipelineEventListener } from './store/events.js';
import type { UpdateFileOptions } from './store/files.js';
import {
  type AddFileResult,
  type BatchProgress,
  type ClaimedTaskRecord,
  type ClaimOptions,
  FILE_STATUSES,
  type FileStatus,
  type ListTasksOptions,
  type NewBatch,
  type NewFile,
  type NewTask,
  type PipelineFileRecord,
  type PipelineStats,
  TASK_STATUSES,
  type TaskErrorEntry,
  type TaskPage,
  type TaskRecord,
  type TaskStatus,
  type UpdateTaskOptions,
} from './types.js';
import { checkArray, checkInt, checkObject, checkText } from './validate.js';

export interface PartitionedPipelineOptions extends Omit<PipelineStoreOptions, 'pipeline' | 'idPrefix'> {
  /** The logical pipeline's name; partition i is the pipeline `<pipeline>~<i>`. */
  pipeline: string;
  /**
   * Number of partitions, each its own hash slot. Use a few per Redis Cluster master so the
   * slots spread over all of them. Keep it fixed for a pipeline's life: ids carry their partition,
   * but new files are routed by `hash % partitions`.
   */
  partitions: number;
}

/** A file for a partitioned pipeline: routed by `partitionKey`, else by its content hash. */
export interface NewPartitionedFile extends NewFile {
  /** Files with the same key land in the same partition (so their tasks may depend on each other). */
  partitionKey?: string;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * One logical pipeline split into N partitions, each a PipelineStore with its own hash tag, so
 * one pipeline uses every master of a Redis Cluster. Files are routed by content hash (or a
 * `partitionKey`); every generated id starts with its partition (`3.t1x`), so calls by id go
 * straight to it. Claims rotate over the partitions. A task's dependencies must live in its own
 * partition: tasks of one file always do, tasks of files sharing a `partitionKey` too.
 * A batch exists in every partition under one id.
 */
export class PartitionedPipeline {
  /** The logical pipeline's name. */
  readonly pipeline: string;
  /** The partitions, in order (for per-partition calls such as `readEvents`). */
  readonly partitions: readonly PipelineStore[];
  #cursor = 0;

  constructor(options: PartitionedPipelineOptions) {
    const opts = checkObject<PartitionedPipelineOptions>('options', options);
    const count = checkInt('options.partitions', opts.partitions, 1, 1024);
    const { partitions: _partitions, ...storeOptions } = opts;
    this.partitions = Array.from(
      { length: count },
      (_, i) =>
        new PipelineStore({
          ...storeOptions,
          pipeline: partitionName(opts.pipeline, i),
          idPrefix: partitionIdPrefix(i),
        }),
    );
    this.pipeline = opts.pipeline;
  }

  /** The partition that holds an id (task, file). */
  partitionOf(id: string): PipelineStore {
    return this.partitions[requirePartition('id', id, this.partitions.length)]!;
  }

  // ---- batches and files -------------------------------------------------------------------

  /** Creates the batch in every partition, under one id. */
  async createBatch(batch: NewBatch = {}): Promise<string> {
    const [first, ...rest] = this.partitions;
    const id = await first!.createBatch(batch);
    await Promise.all(rest.map((p) => p.createBatch({ ...batch, id })));
    return id;
  }

  /** Progress summed over the partitions. */
  async getBatchProgress(batchId: string): Promise<BatchProgress> {
    const parts = await Promise.all(this.partitions.map((p) => p.getBatchProgress(batchId)));
    const first = parts[0]!;
    const tasks = Object.fromEntries(
      [...TASK_STATUSES, 'total'].map((s) => [s, sum(parts.map((p) => p.tasks[s as TaskStatus | 'total']))]),
    ) as BatchProgress['tasks'];
    const files = Object.fromEntries(
      [...FILE_STATUSES, 'total'].map((s) => [s, sum(parts.map((p) => p.files[s as FileStatus | 'total']))]),
    ) as BatchProgress['files'];
    const finished = tasks.completed + tasks.failed + tasks.cancelled;
    const progress: BatchProgress = {
      batchId,
      name: first.name,
      tasks,
      files,
      percent: tasks.total === 0 ? 100 : Math.floor((finished / tasks.total) * 10_000) / 100,
      done: tasks.total > 0 && parts.every((p) => p.done || p.tasks.total === 0),
      createdAt: first.createdAt,
    };
    if (progress.done) progress.doneAt = Math.max(...parts.map((p) => p.doneAt ?? 0));
    return progress;
  }

  async addFileToBatch(file: NewPartitionedFile): Promise<string> {
    return (await this.addFile(file)).fileId;
  }

  async addFile(file: NewPartitionedFile): Promise<AddFileResult> {
    const input = checkObject<NewPartitionedFile>('file', file);
    const key =
      input.partitionKey === undefined
        ? checkText('file.hash', input.hash, { max: 512 })
        : checkText('file.partitionKey', input.partitionKey, { max: 512 });
    const { partitionKey: _key, ...rest } = input;
    return this.partitions[routeKey(key, this.partitions.length)]!.addFile(rest);
  }

  async getFileById(fileId: string): Promise<PipelineFileRecord | null> {
    const index = partitionOfId(checkText('fileId', fileId, { max: 200 }), this.partitions.length);
    return index === undefined ? Promise.resolve(null) : this.partitions[index]!.getFileById(fileId);
  }

  /** The latest file added with this path, in any partition. */
  async getFileByPath(path: string): Promise<PipelineFileRecord | null> {
    const found = await Promise.all(this.partitions.map((p) => p.getFileByPath(path)));
    return found.reduce<PipelineFileRecord | null>(
      (latest, file) => (file && (!latest || file.createdAt >= latest.createdAt) ? file : latest),
      null,
    );
  }

  /** The file with this hash: where the hash routes, else (a `partitionKey` moved it) anywhere. */
  async getFileByHash(hash: string): Promise<PipelineFileRecord | null> {
    const routed =
      await this.partitions[
        routeKey(checkText('hash', hash, { max: 512 }), this.partitions.length)
      ]!.getFileByHash(hash);
    if (routed) return routed;
    const found = await Promise.all(this.partitions.map((p) => p.getFileByHash(hash)));
    return found.find((file) => file !== null) ?? null;
  }

  async updateFileStatus(fileId: string, status: FileStatus, options: UpdateFileOptions = {}): Promise<void> {
    return this.partitionOf(fileId).updateFileStatus(fileId, status, options);
  }

  // ---- tasks ------------------------------------------------------------------------------------

  async addTaskToBatch<P>(task: NewTask<P>): Promise<string> {
    return (await this.addTasks([task]))[0]!;
  }

  /**
   * Adds tasks, each to the partition of its file (or of its stored parents); tasks linked by
   * `ref` go together; tasks with neither go round-robin.
   */
  async addTasks<P>(tasks: readonly NewTask<P>[]): Promise<string[]> {
    checkArray('tasks', tasks, 1_000_000);
    const n = this.partitions.length;
    // Union-find: tasks linked by refs must share a partition.
    const root = tasks.map((_, i) => i);
    const find = (i: number): number => {
      while (root[i] !== i) {
        root[i] = root[root[i]!]!;
        i = root[i]!;
      }
      return i;
    };
    const byRef = new Map<string, number>();
    tasks.forEach((task, i) => {
      if (task && typeof task.ref === 'string') byRef.set(task.ref, i);
    });
    tasks.forEach((task, i) => {
      for (const dep of task?.dependsOn ?? []) {
        const j = byRef.get(dep);
        if (j !== undefined) root[find(i)] = find(j);
      }
    });

    // The partition each group must use: its files' and stored parents', which must agree.
    const placed = new Map<number, { partition: number; field: string }>();
    tasks.forEach((task, i) => {
      const wants: Array<[field: string, id: string]> = [];
      if (task?.fileId !== undefined) wants.push([`tasks[${i}].fileId`, String(task.fileId)]);
      for (const [j, dep] of (task?.dependsOn ?? []).entries()) {
        if (!byRef.has(dep)) wants.push([`tasks[${i}].dependsOn[${j}]`, String(dep)]);
      }
      for (const [field, id] of wants) {
        const partition = requirePartition(field, id, n);
        const group = find(i);
        const current = placed.get(group);
        if (current && current.partition !== partition) {
          throw new ValidationError(
            field,
            `is in partition ${partition} but ${current.field} is in partition ${current.partition}: ` +
              'dependencies cannot cross partitions (route related files with one partitionKey)',
          );
        }
        placed.set(group, { partition, field });
      }
    });

    const partitionOfTask = tasks.map((_, i) => {
      const group = find(i);
      let place = placed.get(group);
      if (!place) {
        place = { partition: this.#cursor++ % n, field: `tasks[${i}]` };
        placed.set(group, place);
      }
      return place.partition;
    });
    const ids: string[] = new Array(tasks.length);
    await Promise.all(
      this.partitions.map(async (partition, p) => {
        const indexes = partitionOfTask.flatMap((q, i) => (q === p ? [i] : []));
        if (indexes.length === 0) return;
        const created = await partition[ADD_TASKS_NAMED](
          indexes.map((i) => tasks[i]!),
          (k) => `tasks[${indexes[k]}]`,
        );
        indexes.forEach((i, k) => {
          ids[i] = created[k]!;
        });
      }),
    );
    return ids;
  }

  async getTask<P = unknown, R = unknown>(taskId: string): Promise<TaskRecord<P, R> | null> {
    const index = partitionOfId(checkText('taskId', taskId, { max: 200 }), this.partitions.length);
    return index === undefined ? Promise.resolve(null) : this.partitions[index]!.getTask<P, R>(taskId);
  }

  /** Several tasks, fetched from their partitions at once (unknown ids are left out). */
  async getTasks(taskIds: readonly string[]): Promise<TaskRecord[]> {
    const byPartition = new Map<number, string[]>();
    for (const id of taskIds) {
      const index = partitionOfId(id, this.partitions.length);
      if (index !== undefined) byPartition.set(index, [...(byPartition.get(index) ?? []), id]);
    }
    const found = await Promise.all(
      [...byPartition].map(([index, ids]) => this.partitions[index]!.getTasks(ids)),
    );
    const byId = new Map(found.flat().map((task) => [task.id, task]));
    return taskIds.flatMap((id) => byId.get(id) ?? []);
  }

  async getTasksForFile(fileId: string): Promise<TaskRecord[]> {
    return this.partitionOf(fileId).getTasksForFile(fileId);
  }

  async getTaskErrors(taskId: string): Promise<TaskErrorEntry[]> {
    return this.partitionOf(taskId).getTaskErrors(taskId);
  }

  /** Pages over the partitions one after the other (cursor `<partition>:<partition's cursor>`). */
  async listTasks(options: ListTasksOptions = {}): Promise<TaskPage> {
    const opts = checkObject<ListTasksOptions>('options', options);
    if (opts.fileId !== undefined) return this.partitionOf(opts.fileId).listTasks(opts);
    const [partitionText, inner] = (opts.cursor ?? '0:0').split(':');
    const index = Number(partitionText);
    if (!Number.isInteger(index) || index < 0 || index >= this.partitions.length || inner === undefined) {
      throw new ValidationError('options.cursor', 'must be a cursor returned by listTasks');
    }
    const page = await this.partitions[index]!.listTasks({ ...opts, cursor: inner });
    const next =
      page.cursor !== null
        ? `${index}:${page.cursor}`
        : index + 1 < this.partitions.length
          ? `${index + 1}:0`
          : null;
    return { tasks: page.tasks, cursor: next };
  }

  // ---- claiming and reporting ----------------------------------------------------------------

  /** Claims from the partitions in turn, starting one further each call. */
  async getNextTask<P = unknown>(
    workerType: string,
    options: ClaimOptions = {},
  ): Promise<ClaimedTaskRecord<P> | null> {
    const n = this.partitions.length;
    const start = this.#cursor++ % n;
    for (let k = 0; k < n; k++) {
      const task = await this.partitions[(start + k) % n]!.getNextTask<P>(workerType, options);
      if (task) return task;
    }
    return null;
  }

  /**
   * Claims up to `count` from one partition, the next one each call (so concurrent claimers
   * spread over all of them), topping up from the following partitions when it has fewer.
   * One partition per call keeps claims large: a script call costs more than a task in it.
   */
  async claimTasks<P = unknown>(
    workerType: string,
    count: number,
    options: ClaimOptions = {},
  ): Promise<ClaimedTaskRecord<P>[]> {
    const wanted = checkInt('count', count, 1, 10_000);
    const n = this.partitions.length;
    const start = this.#cursor++ % n;
    const claimed: ClaimedTaskRecord<P>[] = [];
    for (let k = 0; k < n && claimed.length < wanted; k++) {
      const partition = this.partitions[(start + k) % n]!;
      claimed.push(...(await partition.claimTasks<P>(workerType, wanted - claimed.length, options)));
    }
    return claimed;
  }

  async updateTaskStatus<R>(
    taskId: string,
    status: TaskStatus,
    options: UpdateTaskOptions<R>,
  ): Promise<TaskStatus> {
    return this.partitionOf(taskId).updateTaskStatus(taskId, status, options);
  }

  async reportProgress(taskId: string, leaseToken: string, progress: number): Promise<void> {
    return this.partitionOf(taskId).reportProgress(taskId, leaseToken, progress);
  }

  async extendLease(taskId: string, leaseToken: string, leaseMs?: number): Promise<number> {
    return this.partitionOf(taskId).extendLease(taskId, leaseToken, leaseMs);
  }

  async releaseTask(taskId: string, leaseToken: string, options: { delayMs?: number } = {}): Promise<void> {
    return this.partitionOf(taskId).releaseTask(taskId, leaseToken, options);
  }

  async retryTask(taskId: string, options: { delayMs?: number; resetAttempts?: boolean } = {}) {
    return this.partitionOf(taskId).retryTask(taskId, options);
  }

  async cancelTask(taskId: string, options: { reason?: string } = {}) {
    return this.partitionOf(taskId).cancelTask(taskId, options);
  }

  // ---- maintenance and observation -----------------------------------------------------------

  async recoverExpiredLeases(
    options: { limit?: number } = {},
  ): Promise<{ recovered: number; promoted: number }> {
    const results = await Promise.all(this.partitions.map((p) => p.recoverExpiredLeases(options)));
    return { recovered: sum(results.map((r) => r.recovered)), promoted: sum(results.map((r) => r.promoted)) };
  }

  async releaseTasksOfWorker(workerId: string): Promise<number> {
    return sum(await Promise.all(this.partitions.map((p) => p.releaseTasksOfWorker(workerId))));
  }

  async cleanup(options: { limit?: number; maxRounds?: number } = {}) {
    const results = await Promise.all(this.partitions.map((p) => p.cleanup(options)));
    return {
      tasks: sum(results.map((r) => r.tasks)),
      files: sum(results.map((r) => r.files)),
      batches: sum(results.map((r) => r.batches)),
    };
  }

  /** Stats summed over the partitions (Redis memory is the servers', counted once). */
  async getStats(): Promise<PipelineStats> {
    const parts = await Promise.all(this.partitions.map((p) => p.getStats()));
    const tasks = Object.fromEntries(
      [...TASK_STATUSES, 'total'].map((s) => [s, sum(parts.map((p) => p.tasks[s as TaskStatus | 'total']))]),
    ) as PipelineStats['tasks'];
    const files = Object.fromEntries(
      [...FILE_STATUSES, 'total'].map((s) => [s, sum(parts.map((p) => p.files[s as FileStatus | 'total']))]),
    ) as PipelineStats['files'];
    const byWorkerType: PipelineStats['byWorkerType'] = {};
    for (const part of parts) {
      for (const [type, counts] of Object.entries(part.byWorkerType)) {
        const into =
          byWorkerType[type] ??
          (Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>);
        for (const s of TASK_STATUSES) into[s] += counts[s];
        byWorkerType[type] = into;
      }
    }
    const completed = sum(parts.map((p) => p.throughput.completedLastMinute));
    return {
      pipeline: this.pipeline,
      tasks,
      byWorkerType,
      files,
      activeFiles: sum(parts.map((p) => p.activeFiles)),
      activeTasks: sum(parts.map((p) => p.activeTasks)),
      deadLetters: sum(parts.map((p) => p.deadLetters)),
      throughput: {
        completedLastMinute: completed,
        failedLastMinute: sum(parts.map((p) => p.throughput.failedLastMinute)),
        perSecond: completed / 60,
      },
      redisMemoryBytes: parts[0]?.redisMemoryBytes ?? null,
      at: Math.max(...parts.map((p) => p.at)),
    };
  }

  async getConnectionStatus(): Promise<ConnectionStatus> {
    return this.partitions[0]!.getConnectionStatus();
  }

  /** Live events of every partition (their `pipeline` field names the partition). */
  async subscribe(listener: PipelineEventListener): Promise<EventSubscription> {
    const own = `${this.pipeline}~`;
    return this.partitions[0]!.subscribe((event) => event.pipeline.startsWith(own) && listener(event), {
      allPipelines: true,
    });
  }

  /** Waits for a wake-up from any partition (see `PipelineStore.waitForWork`). */
  async waitForWork(workerType: string, options: WaitForWorkOptions = {}): Promise<boolean> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const waits = this.partitions.map((p) => p.waitForWork(workerType, { ...options, signal: stop.signal }));
    try {
      // True as soon as one partition wakes; false once all have timed out (or been aborted).
      return await new Promise<boolean>((resolve, reject) => {
        let pending = waits.length;
        for (const wait of waits) {
          wait.then((woken) => {
            if (woken) resolve(true);
            else if (--pending === 0) resolve(false);
          }, reject);
        }
      });
    } finally {
      stop.abort();
      options.signal?.removeEventListener('abort', onAbort);
      await Promise.allSettled(waits);
    }
  }

  /** Deletes every key of every partition (see `PipelineStore.destroy`). */
  async destroy(): Promise<number> {
    return sum(await Promise.all(this.partitions.map((p) => p.destroy())));
  }

  async close(): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.close()));
  }
}
