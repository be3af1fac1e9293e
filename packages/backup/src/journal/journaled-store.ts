import {
  type AddFileResult,
  type BatchProgress,
  type BatchRecord,
  type CovinaLogger,
  defaultLogger,
  type FileStatus,
  type NewBatch,
  type NewFile,
  type NewTask,
  type PipelineFileRecord,
  type PipelineStore,
  type TaskRecord,
  type TaskStatus,
  type UpdateTaskOptions,
} from '@covina/core';
import { JournalError } from '../errors.js';
import { isConnectionFailure } from './connection-failure.js';
import { type JournalEntry, JournalFile } from './journal-file.js';
import {
  applyOperation,
  isProvisional,
  JOURNAL_MARK,
  type JournaledTaskUpdate,
  type JournalOperation,
  provisionalId,
  ReplayRejection,
} from './operations.js';

export interface OutageJournalOptions {
  /** The journal's SQLite file (created if missing; writes waiting in it are replayed). */
  path: string;
  /**
   * How often to try replaying while writes are waiting, in ms.
   * @default 1000
   */
  replayIntervalMs?: number;
  /**
   * Applied entries are deleted after this long, in ms (the id mappings stay).
   * @default 86_400_000 (24 h)
   */
  keepAppliedMs?: number;
  /** Called for each journaled write the store refused on replay (it stays in the journal as `rejected`). */
  onRejected?(entry: JournalEntry, error: Error): void;
  /** @default pino at COVINA_LOG_LEVEL (silent unless set) */
  logger?: CovinaLogger;
}

/** How the journal is doing. */
export interface JournalStatus {
  /** Writes waiting for Redis (in order). */
  pending: number;
  /** Writes the store refused on replay. */
  rejected: number;
  replaying: boolean;
  /** Why the last replay attempt stopped, while Redis is still away. */
  lastReplayError: string | null;
}

type Journaled =
  | 'createBatch'
  | 'addFileToBatch'
  | 'addFile'
  | 'addTaskToBatch'
  | 'addTasks'
  | 'updateFileStatus'
  | 'updateTaskStatus'
  | 'getTask'
  | 'getTasks'
  | 'getFileById'
  | 'getBatch'
  | 'getBatchProgress'
  | 'getTasksForFile'
  | 'close';

/** A PipelineStore whose writes survive a Redis outage (see `withOutageJournal`). */
export type JournaledPipelineStore = OutageJournal & Omit<PipelineStore, Journaled>;

const toJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The journaling half of a JournaledPipelineStore.
 *
 * While Redis is unreachable, writes (new batches, files and tasks, status updates) are
 * appended to a local SQLite journal and acknowledged once on disk (WAL, `synchronous=FULL`).
 * New records get provisional ids (`j~…`), which this wrapper translates wherever it takes an
 * id. When Redis answers again, the journal is replayed in order; writes made meanwhile queue
 * behind it, so the order of acknowledged writes is the order they reach Redis.
 *
 * Idempotent: every batch and file created through the wrapper carries its provisional id in
 * `metadata.covinaJournalId`, every task an idempotency key, so a write whose outcome is unknown
 * (the connection broke after it was sent, or the process died mid-replay) is looked up rather
 * than repeated; a status update already in effect counts as done.
 */
export class OutageJournal {
  readonly store: PipelineStore;
  readonly #file: JournalFile;
  readonly #keepAppliedMs: number;
  readonly #onRejected: OutageJournalOptions['onRejected'];
  readonly #logger: CovinaLogger;
  readonly #timer: NodeJS.Timeout;
  #replaying: Promise<void> | undefined;
  #lastError: string | null = null;
  #closed = false;

  constructor(store: PipelineStore, options: OutageJournalOptions) {
    this.store = store;
    this.#file = new JournalFile(options.path);
    this.#keepAppliedMs = options.keepAppliedMs ?? 86_400_000;
    this.#onRejected = options.onRejected;
    this.#logger = options.logger ?? defaultLogger();
    this.#timer = setInterval(() => {
      if (this.#file.pendingCount() > 0) void this.replay();
    }, options.replayIntervalMs ?? 1000);
    this.#timer.unref();
    if (this.#file.pendingCount() > 0) void this.replay();
  }

  // ---- journaled writes ---------------------------------------------------------------------

  async createBatch(batch: NewBatch = {}): Promise<string> {
    const id = provisionalId();
    const marked = { ...toJson(batch), metadata: { ...batch.metadata, [JOURNAL_MARK]: id } };
    return (await this.#write({ op: 'createBatch', id, batch: marked }, [id], id)) as string;
  }

  async addFileToBatch(file: NewFile): Promise<string> {
    return (await this.addFile(file)).fileId;
  }

  /** While journaled, `duplicate` is false (de-duplication by hash happens on replay). */
  async addFile(file: NewFile): Promise<AddFileResult> {
    const id = provisionalId();
    const marked = {
      ...toJson(file),
      batchId: this.resolveId(file.batchId),
      metadata: { ...file.metadata, [JOURNAL_MARK]: id },
    };
    return (await this.#write({ op: 'addFile', id, file: marked }, [id], {
      fileId: id,
      duplicate: false,
    })) as AddFileResult;
  }

  async addTaskToBatch<P>(task: NewTask<P>): Promise<string> {
    return (await this.addTasks([task]))[0]!;
  }

  /** Tasks without an idempotency key get one (their provisional id), for exactly-once replay. */
  async addTasks<P>(tasks: readonly NewTask<P>[]): Promise<string[]> {
    const ids = tasks.map(() => provisionalId());
    const plain = tasks.map((task, i) => {
      const t = toJson({
        ...task,
        runAt: task.runAt instanceof Date ? task.runAt.getTime() : task.runAt,
      }) as NewTask;
      if (t.fileId !== undefined) t.fileId = this.resolveId(t.fileId);
      if (t.batchId !== undefined) t.batchId = this.resolveId(t.batchId);
      if (t.dependsOn) t.dependsOn = t.dependsOn.map((d) => this.resolveId(d));
      t.idempotencyKey ??= ids[i]!;
      return t;
    });
    return (await this.#write({ op: 'addTasks', ids, tasks: plain }, ids, ids)) as string[];
  }

  async updateFileStatus(
    fileId: string,
    status: FileStatus,
    options: { progress?: number; error?: string } = {},
  ): Promise<void> {
    await this.#write(
      { op: 'updateFileStatus', fileId: this.resolveId(fileId), status, options: toJson(options) },
      [],
      undefined,
    );
  }

  /** While journaled, resolves with the requested status (the store decides retries on replay). */
  async updateTaskStatus<R>(
    taskId: string,
    status: TaskStatus,
    options: UpdateTaskOptions<R>,
  ): Promise<TaskStatus> {
    const update: JournaledTaskUpdate = { leaseToken: options.leaseToken };
    if (options.resultData !== undefined) update.resultData = toJson(options.resultData);
    if (options.error !== undefined)
      update.error = options.error instanceof Error ? options.error.message : String(options.error);
    if (options.retryable !== undefined) update.retryable = options.retryable;
    if (options.progress !== undefined) update.progress = options.progress;
    const operation: JournalOperation = {
      op: 'updateTaskStatus',
      taskId: this.resolveId(taskId),
      status,
      options: update,
    };
    return (await this.#write(operation, [], status)) as TaskStatus;
  }

  // ---- reads that take ids -------------------------------------------------------------------

  /**
   * The store's id for an id this wrapper returned: itself for a real id, the replayed record's
   * id for a provisional one, or the provisional id unchanged while its write is waiting.
   */
  resolveId(id: string): string {
    if (!isProvisional(id)) return id;
    return this.#file.resolve(id)?.real ?? id;
  }

  /** null while the task's write is still waiting in the journal. */
  async getTask<P = unknown, R = unknown>(taskId: string): Promise<TaskRecord<P, R> | null> {
    const id = this.resolveId(taskId);
    return isProvisional(id) ? null : this.store.getTask<P, R>(id);
  }

  getTasks(taskIds: readonly string[]): Promise<TaskRecord[]> {
    return this.store.getTasks(taskIds.map((id) => this.resolveId(id)).filter((id) => !isProvisional(id)));
  }

  async getFileById(fileId: string): Promise<PipelineFileRecord | null> {
    const id = this.resolveId(fileId);
    return isProvisional(id) ? null : this.store.getFileById(id);
  }

  async getBatch(batchId: string): Promise<BatchRecord | null> {
    const id = this.resolveId(batchId);
    return isProvisional(id) ? null : this.store.getBatch(id);
  }

  getBatchProgress(batchId: string): Promise<BatchProgress> {
    return this.store.getBatchProgress(this.resolveId(batchId));
  }

  getTasksForFile(fileId: string): Promise<TaskRecord[]> {
    return this.store.getTasksForFile(this.resolveId(fileId));
  }

  // ---- the journal ---------------------------------------------------------------------------

  journalStatus(): JournalStatus {
    return {
      pending: this.#file.pendingCount(),
      rejected: this.#file.rejected().length,
      replaying: this.#replaying !== undefined,
      lastReplayError: this.#lastError,
    };
  }

  /** Writes the store refused on replay, oldest first. */
  rejectedWrites(): JournalEntry[] {
    return this.#file.rejected();
  }

  /**
   * Replays waiting writes now, in order. Resolves when the journal is empty or Redis went away
   * again (the rest waits for the next attempt). Concurrent calls share one replay.
   */
  replay(): Promise<void> {
    this.#replaying ??= this.#replayAll().finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  /** Resolves once every waiting write is replayed; rejects after `timeoutMs`. */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#file.pendingCount() > 0) {
      if (Date.now() > deadline) {
        throw new JournalError(`The outage journal still holds ${this.#file.pendingCount()} writes`, {
          context: { path: this.#file.path, reason: this.#lastError ?? 'timeout' },
        });
      }
      await this.replay();
      if (this.#file.pendingCount() > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops replaying, closes the journal file (waiting writes stay for next time) and the store. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#replaying;
    this.#file.close();
    await this.store.close();
  }

  async #write(operation: JournalOperation, ids: string[], acknowledged: unknown): Promise<unknown> {
    let inDoubt = false;
    // Writes queue behind the journal until it is empty: order is kept.
    if (this.#file.pendingCount() === 0) {
      try {
        return (
          await applyOperation(this.store, operation, (id) => this.#translate(id), {
            inDoubt: false,
            replaying: false,
          })
        ).value;
      } catch (error) {
        if (error instanceof ReplayRejection) {
          throw new JournalError(`Cannot write: ${error.message}`, {
            context: { path: this.#file.path, reason: error.message },
          });
        }
        if (!isConnectionFailure(error)) throw error;
        // It may have reached Redis before the link broke: replay looks for it before repeating it.
        inDoubt = true;
        this.#logger.warn(
          { op: operation.op, err: error },
          'Redis is unreachable: write kept in the outage journal',
        );
      }
    }
    this.#file.append(operation, ids, inDoubt);
    void this.replay();
    return acknowledged;
  }

  async #replayAll(): Promise<void> {
    while (!this.#closed) {
      const entry = this.#file.next();
      if (!entry) {
        this.#file.prune(this.#keepAppliedMs);
        return;
      }
      const inDoubt = entry.state === 'sending';
      this.#file.markSending(entry.seq);
      try {
        const applied = await applyOperation(this.store, entry.operation, (id) => this.#translate(id), {
          inDoubt,
          replaying: true,
        });
        this.#file.markApplied(entry.seq, applied.ids);
        this.#lastError = null;
      } catch (error) {
        if (isConnectionFailure(error)) {
          // Stays `sending` (in doubt): the next attempt looks before it writes.
          this.#lastError = (error as Error).message;
          return;
        }
        const reason = (error as Error).message;
        this.#file.markRejected(entry.seq, reason);
        this.#logger.error(
          { seq: entry.seq, op: entry.operation.op, reason },
          'a journaled write was refused on replay',
        );
        this.#onRejected?.({ ...entry, state: 'rejected', error: reason }, error as Error);
      }
    }
  }

  #translate(id: string): string {
    if (!isProvisional(id)) return id;
    const found = this.#file.resolve(id);
    if (found?.real) return found.real;
    throw new ReplayRejection(
      found?.state === 'rejected'
        ? `it uses ${id}, whose write was refused`
        : `it uses ${id}, which is not known`,
    );
  }
}

/**
 * Wraps a PipelineStore so its writes survive a Redis outage (see OutageJournal); every other
 * method is the store's own.
 *
 * ```ts
 * const store = withOutageJournal(new PipelineStore({ redis, pipeline: 'docs' }), {
 *   path: 'sqlite_db/outage_journal.db',
 * });
 * ```
 */
export function withOutageJournal(
  store: PipelineStore,
  options: OutageJournalOptions,
): JournaledPipelineStore {
  const journal = new OutageJournal(store, options);
  return new Proxy(journal, {
    get(target, property, receiver) {
      if (property in target) {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const value = Reflect.get(store, property, store);
      return typeof value === 'function' ? value.bind(store) : value;
    },
  }) as unknown as JournaledPipelineStore;
}
