import { setTimeout as sleep } from 'node:timers/promises';
import type { ClaimedTaskRecord, PipelineStore, TaskStatus } from '@covina/core';
import { TaskTimeoutError, WorkerClosingError } from './errors.js';
import type { WorkerEvents } from './events.js';
import { isLeaseGone, isResultRefused, isRetryable, lossReason, retryDelay } from './outcome.js';
import type { TaskContext } from './task-context.js';

/** What a handler (or stage) produced. */
export interface Outcome {
  result: unknown;
  skipped: boolean;
}

/** What a running task needs from its worker. */
export interface TaskEnvironment {
  readonly store: PipelineStore;
  readonly leaseMs: number;
  readonly timeoutMs: number | undefined;
  execute(task: ClaimedTaskRecord, ctx: TaskContext): Promise<Outcome>;
  /** Whether anyone listens (event payloads are only built then). */
  listening(event: keyof WorkerEvents): boolean;
  emit<E extends keyof WorkerEvents>(event: E, ...args: WorkerEvents[E]): void;
  reportError(error: unknown): void;
  /** The handler is over (settled, timed out, aborted): its slot may take another task. */
  slotFreed(task: RunningTask): void;
  /** The task no longer needs this worker: outcome written, lease lost, or given back. */
  finished(task: RunningTask): void;
}

type State = 'running' | 'finishing' | 'done';

/** How a task left this worker. */
export type Ending = 'completed' | 'failed' | 'lost' | 'released' | 'abandoned';

/**
 * One claimed task, from its handler's start to the store accepting (or refusing) its outcome.
 * Only the first ending counts: a handler that settles after a timeout, a lost lease or a
 * shutdown hand-back has its result discarded.
 */
export class RunningTask {
  readonly task: ClaimedTaskRecord;
  readonly workerId: string;
  readonly claimedAt = performance.now();
  /** Set when the task leaves this worker. */
  ending: Ending | undefined;
  readonly #env: TaskEnvironment;
  // Made on first use: most handlers never look at their signal, nobody waits for most tasks.
  #controller: AbortController | undefined;
  #abortReason: unknown;
  #aborted = false;
  #whenFinished: Promise<void> | undefined;
  #resolveFinished: (() => void) | undefined;
  #state: State = 'running';
  #slotFreed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(task: ClaimedTaskRecord, env: TaskEnvironment) {
    this.task = task;
    this.workerId = task.workerId;
    this.#env = env;
  }

  /** The handler's abort signal. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** True until the task's ending is decided (renewals are useful until then). */
  get holdsLease(): boolean {
    return this.#state !== 'done';
  }

  /** Settles when the task no longer needs this worker. */
  get finished(): Promise<void> {
    if (this.#state === 'done') return Promise.resolve();
    this.#whenFinished ??= new Promise<void>((resolve) => {
      this.#resolveFinished = resolve;
    });
    return this.#whenFinished;
  }

  /** Runs the handler and writes its outcome; never rejects. */
  start(): void {
    void this.#run();
  }

  /** Extends the lease; a refusal means the task is gone, and the handler is aborted. */
  async renew(): Promise<void> {
    if (this.#state === 'done') return;
    try {
      await this.#env.store.extendLease(this.task.id, this.task.leaseToken, this.#env.leaseMs);
    } catch (error) {
      // While the outcome is being written, that write learns about the loss itself.
      if (isLeaseGone(error) && this.#state === 'running') this.lose(lossReason(this.task.id, error));
      else if (!isLeaseGone(error)) this.#env.reportError(error);
    }
  }

  /** The lease is gone (lost, cancelled, worker evicted): abort the handler, write nothing. */
  lose(reason: unknown): void {
    if (this.#state === 'done') return;
    this.#abort(reason);
    this.#end('lost');
    if (this.#env.listening('lease:lost')) {
      this.#env.emit('lease:lost', { task: this.task, workerId: this.workerId, error: reason });
    }
  }

  /**
   * The worker was declared dead while alive: abort the handler and hand the task back, in
   * case no sweeper recovers it (it was deregistered by hand, or its record was lost).
   */
  async abandon(reason: unknown): Promise<void> {
    if (this.#state === 'done') return;
    this.lose(reason);
    await this.#env.store.releaseTask(this.task.id, this.task.leaseToken).catch(() => {
      // Already recovered by the sweeper (lease lost), or Redis is away: the lease expiry covers it.
    });
  }

  /** Shutdown past its deadline: abort the handler and give the task back (attempt not counted). */
  async giveBack(deadlineMs: number): Promise<void> {
    if (this.#state === 'finishing') return this.finished;
    if (this.#state === 'done') return;
    this.#abort(
      new WorkerClosingError(`Worker ${this.workerId} closed before task ${this.task.id} finished`, {
        context: { workerId: this.workerId, deadlineMs },
      }),
    );
    this.#end('released');
    try {
      await this.#env.store.releaseTask(this.task.id, this.task.leaseToken);
      this.#env.emit('task:released', { task: this.task, workerId: this.workerId, reason: 'closing' });
    } catch (error) {
      // Lost already, or Redis is unreachable: the lease expiry brings the task back.
      if (!isLeaseGone(error)) this.#env.reportError(error);
    }
  }

  async #run(): Promise<void> {
    const { task } = this;
    const env = this.#env;
    if (env.listening('task:start')) env.emit('task:start', { task, workerId: this.workerId });
    if (env.timeoutMs !== undefined) {
      const timeoutMs = env.timeoutMs;
      this.#timer = setTimeout(() => this.#timeout(timeoutMs), timeoutMs);
    }
    let outcome: Outcome;
    try {
      outcome = await env.execute(task, new RunContext(this, env));
    } catch (error) {
      this.#freeSlot();
      if (this.#state === 'running') await this.#fail(error, isRetryable(error));
      return;
    }
    this.#freeSlot();
    if (this.#state === 'running') await this.#complete(outcome);
  }

  /** A handler's own call on the lease: a refusal ends the task here too. */
  async guard<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (isLeaseGone(error) && this.#state === 'running') this.lose(lossReason(this.task.id, error));
      throw error;
    }
  }

  #timeout(timeoutMs: number): void {
    if (this.#state !== 'running') return;
    const error = new TaskTimeoutError(
      `Task ${this.task.id} ran longer than its timeout of ${timeoutMs} ms`,
      {
        context: { taskId: this.task.id, timeoutMs },
      },
    );
    this.#abort(error);
    // The handler may ignore its signal: its slot is not held for it.
    this.#freeSlot();
    void this.#fail(error, true);
  }

  async #complete(outcome: Outcome): Promise<void> {
    this.#state = 'finishing';
    const { task } = this;
    const written = await this.#write(() =>
      this.#env.store.updateTaskStatus(task.id, 'completed', {
        leaseToken: task.leaseToken,
        resultData: outcome.result,
      }),
    );
    if (written === undefined || written === 'refused') return;
    this.#end('completed');
    if (this.#env.listening('task:done')) {
      this.#env.emit('task:done', {
        task,
        workerId: this.workerId,
        result: outcome.result,
        skipped: outcome.skipped,
        durationMs: performance.now() - this.claimedAt,
      });
    }
  }

  async #fail(error: unknown, retryable: boolean): Promise<void> {
    this.#state = 'finishing';
    const { task } = this;
    const status = await this.#write(() =>
      this.#env.store.updateTaskStatus(task.id, 'failed', { leaseToken: task.leaseToken, error, retryable }),
    );
    if (status === undefined || status === 'refused') return;
    this.#end('failed');
    this.#env.emit('task:failed', {
      task,
      workerId: this.workerId,
      error,
      status,
      durationMs: performance.now() - this.claimedAt,
    });
  }

  /**
   * Writes the outcome, retrying through connection failures while the lease may still be
   * ours (a Redis restart, a failover). Returns the write's answer; `undefined` when the task is
   * no longer ours (handled here); `refused` when the result itself was refused and the attempt
   * was failed instead.
   */
  async #write(call: () => Promise<TaskStatus>): Promise<TaskStatus | 'refused' | undefined> {
    const giveUpAt = performance.now() + Math.max(2 * this.#env.leaseMs, 10_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (isLeaseGone(error)) {
          this.lose(lossReason(this.task.id, error));
          return undefined;
        }
        if (isResultRefused(error)) {
          await this.#fail(error, false);
          return 'refused';
        }
        this.#env.reportError(error);
        if (performance.now() > giveUpAt) {
          // The lease expires without renewals: the task runs again elsewhere.
          this.#end('abandoned');
          return undefined;
        }
        await sleep(retryDelay(attempt));
      }
    }
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  #freeSlot(): void {
    if (this.#slotFreed) return;
    this.#slotFreed = true;
    this.#env.slotFreed(this);
  }

  #end(ending: Ending): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.ending = ending;
    clearTimeout(this.#timer);
    this.#freeSlot();
    this.#env.finished(this);
    this.#resolveFinished?.();
  }
}

/** The `TaskContext` of one run (methods on the prototype: one small object per task). */
class RunContext implements TaskContext {
  readonly #run: RunningTask;
  readonly #env: TaskEnvironment;

  constructor(run: RunningTask, env: TaskEnvironment) {
    this.#run = run;
    this.#env = env;
  }

  get pipeline(): string {
    return this.#env.store.pipeline;
  }

  get workerId(): string {
    return this.#run.workerId;
  }

  get signal(): AbortSignal {
    return this.#run.signal;
  }

  get store(): PipelineStore {
    return this.#env.store;
  }

  reportProgress(progress: number): Promise<void> {
    const { id, leaseToken } = this.#run.task;
    return this.#run.guard(this.#env.store.reportProgress(id, leaseToken, progress));
  }

  async extendLease(ms?: number): Promise<void> {
    const { id, leaseToken } = this.#run.task;
    await this.#run.guard(this.#env.store.extendLease(id, leaseToken, ms ?? this.#env.leaseMs));
  }
}
