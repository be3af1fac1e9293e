import type { ClaimedTaskRecord, TaskStatus } from '@covina/core';

export interface TaskStartEvent {
  readonly task: ClaimedTaskRecord;
  readonly workerId: string;
}

export interface TaskDoneEvent {
  readonly task: ClaimedTaskRecord;
  readonly workerId: string;
  /** What the handler returned (stored as `resultData`). */
  readonly result: unknown;
  /** A stage's `accepts(file)` said no: the task was completed without running. */
  readonly skipped: boolean;
  /** Claim to accepted completion, in ms. */
  readonly durationMs: number;
}

export interface TaskFailedEvent {
  readonly task: ClaimedTaskRecord;
  readonly workerId: string;
  /** What the handler threw, or `TaskTimeoutError`. */
  readonly error: unknown;
  /** The task's status after the report: `delayed` (will retry) or `failed` (for good). */
  readonly status: TaskStatus;
  readonly durationMs: number;
}

export interface LeaseLostEvent {
  readonly task: ClaimedTaskRecord;
  readonly workerId: string;
  /** `LeaseLostError`, `TaskCancelledError` or `WorkerEvictedError`; also the signal's reason. */
  readonly error: unknown;
}

export interface TaskReleasedEvent {
  readonly task: ClaimedTaskRecord;
  readonly workerId: string;
  /** `closing`: still running at the close deadline; `unstarted`: claimed while closing. */
  readonly reason: 'closing' | 'unstarted';
}

/** Events of a `Worker`, with their listener arguments. */
export interface WorkerEvents {
  /** A claimed task's handler starts. */
  'task:start': [TaskStartEvent];
  /** A task completed: its result was accepted by the store. */
  'task:done': [TaskDoneEvent];
  /** An attempt failed (handler threw, or timed out) and was recorded. */
  'task:failed': [TaskFailedEvent];
  /** This worker no longer holds a task it was running; its result will not be written. */
  'lease:lost': [LeaseLostEvent];
  /** A task was given back unfinished (the attempt does not count). */
  'task:released': [TaskReleasedEvent];
  /**
   * A background failure (claim, renewal, heartbeat, sweep). The worker retries on its own;
   * without a listener these go to the logger instead of throwing.
   */
  error: [unknown];
  /** `close()` finished. */
  closed: [];
}
