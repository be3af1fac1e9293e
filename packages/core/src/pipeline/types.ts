/**
 * - `waiting`: some parent has not completed yet
 * - `ready`: queued for its worker type
 * - `delayed`: waits for its run-at time (a delay, or a retry's backoff)
 * - `active`: claimed by a worker, under lease
 * - `completed`, `failed` (for good: dead-letter set), `cancelled`: finished
 */
export type TaskStatus = 'waiting' | 'ready' | 'delayed' | 'active' | 'completed' | 'failed' | 'cancelled';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'waiting',
  'ready',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
];

/** Finished statuses: the task will not run again unless retried. */
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Set by hand with `updateFileStatus`, and derived from the file's tasks: `processing` when
 * one starts; when the last one ends, `failed` if one failed, else `cancelled` if one was
 * cancelled, else `completed`.
 */
export type FileStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

export const FILE_STATUSES: readonly FileStatus[] = [
  'pending',
  'processing',
  'completed',
  'failed',
  'cancelled',
];

export interface NewBatch {
  /**
   * Use this id instead of a generated one (letters, digits, `_-.~/@+=`). Creating a batch whose
   * id exists returns it unchanged.
   */
  id?: string;
  /** A label for people (dashboards, logs). */
  name?: string;
  /** Free-form JSON-serialisable facts about the batch, returned by `getBatch`. */
  metadata?: Record<string, unknown>;
}

export interface BatchRecord {
  id: string;
  name: string;
  createdAt: number;
  metadata?: Record<string, unknown>;
}

export interface NewFile {
  batchId: string;
  /** Where the file lives (a path or URL); indexed by `getFileByPath`. */
  path: string;
  /** Content hash (e.g. sha256 hex); indexed by `getFileByHash`, used to de-duplicate. */
  hash: string;
  /** Display name. @default the last segment of `path` */
  name?: string;
  /** Size in bytes. */
  size: number;
  /** e.g. `application/pdf`. */
  mimeType: string;
  /** Free-form JSON-serialisable facts about the file. */
  metadata?: Record<string, unknown>;
  /**
   * When a file with the same `hash` is already stored, return it instead of adding this one.
   * @default the store's `dedupeByHash`
   */
  dedupe?: boolean;
}

export interface AddFileResult {
  fileId: string;
  /** True when a file with the same hash existed and was returned instead. */
  duplicate: boolean;
}

/** A stored file. Assignable to the plugin view `FileRecord` that stages receive. */
export interface PipelineFileRecord {
  id: string;
  pipeline: string;
  batchId: string;
  path: string;
  hash: string;
  name: string;
  size: number;
  mimeType: string;
  status: FileStatus;
  /** 0..100. */
  progress: number;
  error?: string;
  metadata?: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /** The file's tasks: all of them, not finished yet, failed, cancelled. */
  tasks: { total: number; open: number; failed: number; cancelled: number };
}

export interface NewTask<Payload = unknown> {
  /** The file the task works on; its batch is the task's batch. */
  fileId?: string;
  /** The batch, for a task without a file (must match the file's batch when both are given). */
  batchId?: string;
  /** What the task does (`preprocessing`, `nlp_processing`); `afterTasks` refers to it. */
  taskType: string;
  /** Which workers run it (`getNextTask(workerType)`). Letters, digits, `_-./`. */
  workerType: string;
  /** Higher runs first; equal priorities run in insertion order. Integer. @default 0 */
  priority?: number;
  /** Task types of the same file that must complete first (all tasks of each type). */
  afterTasks?: string[];
  /**
   * Tasks that must complete first: ids of stored tasks (any file), or the `ref` of another task
   * of the same `addTasks` call.
   */
  dependsOn?: string[];
  /** A name for this task inside one `addTasks` call, for `dependsOn` of the others. */
  ref?: string;
  /** Any JSON-serialisable value, handed to the worker. */
  payload?: Payload;
  /** Attempts before the task fails for good. @default the store's `maxAttempts` */
  maxAttempts?: number;
  /**
   * Stalls (attempts lost with their worker) the task may survive; one more fails it for good.
   * @default the store's `maxStalls`
   */
  maxStalls?: number;
  /** First backoff delay of this task's retries, in ms. @default the store's `backoff.baseMs` */
  backoffMs?: number;
  /** Do not run before this many ms from now. */
  delayMs?: number;
  /** Do not run before this time (ms since epoch, or a Date). */
  runAt?: number | Date;
  /** Adding a task with a key already used returns the existing task's id instead. */
  idempotencyKey?: string;
}

export interface TaskRecord<Payload = unknown, Result = unknown> {
  id: string;
  pipeline: string;
  status: TaskStatus;
  taskType: string;
  workerType: string;
  priority: number;
  fileId?: string;
  batchId?: string;
  payload: Payload | undefined;
  /** Parent task ids. */
  dependsOn: string[];
  /** Child task ids. */
  dependents: string[];
  /** Parents not completed yet (0 unless `waiting`). */
  pendingDependencies: number;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** Attempts lost with their worker (lease expired, worker declared dead); they count as attempts too. */
  stalls: number;
  /** Stalls the task may survive (absent: only `maxAttempts` bounds them). */
  maxStalls?: number;
  createdAt: number;
  /** Start of the latest attempt. */
  startedAt?: number;
  finishedAt?: number;
  /** When a `delayed` task becomes ready. */
  runAt?: number;
  /** 0..100, reported by the worker. */
  progress?: number;
  /** Latest error (a failed attempt, or why it was cancelled). */
  error?: string;
  /** The failed or cancelled task whose end cancelled this one. */
  cancelledBy?: string;
  /** What the worker returned (completed tasks). */
  resultData?: Result;
  idempotencyKey?: string;
  /** Holder of an `active` task. */
  workerId?: string;
  /** Lease expiry of an `active` task. */
  leaseExpiresAt?: number;
}

/**
 * A task handed to a worker: the lease token proves it holds it. Assignable to the plugin
 * view `ClaimedTask` that stages receive.
 */
export interface ClaimedTaskRecord<Payload = unknown> extends TaskRecord<Payload, never> {
  status: 'active';
  /** Which attempt this is, from 1 (= `attempts`). */
  attempt: number;
  leaseToken: string;
  leaseExpiresAt: number;
  workerId: string;
}

export interface ClaimOptions {
  /** Who claims (shown in the task, used by `releaseTasksOfWorker`). @default the store's `workerId` */
  workerId?: string;
  /** Lease duration in ms. @default the store's `leaseMs` */
  leaseMs?: number;
}

export interface UpdateTaskOptions<Result = unknown> {
  /** The token of the claim (`ClaimedTaskRecord.leaseToken`). */
  leaseToken: string;
  /** `completed`: what the task produced (JSON-serialisable). Large results are stored compressed. */
  resultData?: Result;
  /** `failed`: what went wrong (an Error's message is used). */
  error?: unknown;
  /** `failed`: false to fail for good now, without the remaining attempts. @default true */
  retryable?: boolean;
  /** `active`: progress 0..100. */
  progress?: number;
}

export interface TaskErrorEntry {
  attempt: number;
  error: string;
  workerId?: string;
  at: number;
}

export interface BatchProgress {
  batchId: string;
  name: string;
  /** Tasks of the batch by status (finished counts survive the tasks' cleanup). */
  tasks: Record<TaskStatus, number> & { total: number };
  /** Files of the batch by status. */
  files: Record<FileStatus, number> & { total: number };
  /** Finished tasks over all tasks, 0..100 (100 for a batch without tasks). */
  percent: number;
  /** Every task has finished (and there is at least one). */
  done: boolean;
  createdAt: number;
  doneAt?: number;
}

export interface ListTasksOptions {
  status?: TaskStatus;
  workerType?: string;
  fileId?: string;
  /** From the previous page's `cursor`. */
  cursor?: string;
  /** Most tasks per page. @default 100 */
  limit?: number;
}

export interface TaskPage {
  tasks: TaskRecord[];
  /** Pass it to get the next page; null when this was the last. */
  cursor: string | null;
}

export interface PipelineStats {
  pipeline: string;
  /** Tasks by status (stored tasks: finished ones until cleanup removes them). */
  tasks: Record<TaskStatus, number> & { total: number };
  /** Per worker type: tasks by status. */
  byWorkerType: Record<string, Record<TaskStatus, number>>;
  files: Record<FileStatus, number> & { total: number };
  /** Files being processed (status `processing`). */
  activeFiles: number;
  /** Tasks under lease. */
  activeTasks: number;
  /** Dead letters (failed for good, not yet cleaned up). */
  deadLetters: number;
  /** Completed and failed tasks over the last 60 seconds, and completions per second. */
  throughput: { completedLastMinute: number; failedLastMinute: number; perSecond: number };
  /** `used_memory` of the Redis server(s), in bytes (null when unknown). */
  redisMemoryBytes: number | null;
  at: number;
}

/** Events published on `job_updates` and appended to the pipeline's stream. */
export interface PipelineEvent {
  type: string;
  pipeline: string;
  /** Redis server time, ms. */
  at: number;
  taskId?: string;
  taskType?: string;
  workerType?: string;
  fileId?: string;
  batchId?: string;
  status?: string;
  attempt?: number;
  error?: string;
  progress?: number;
  [field: string]: unknown;
}

export interface StreamEvent extends PipelineEvent {
  /** The event's stream entry id (`<ms>-<seq>`): pass the last one processed as `readEvents({ after })`. */
  streamId: string;
}
