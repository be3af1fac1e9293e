import { CovinaError } from '@covina/core';

export interface TaskTimeoutContext {
  taskId: string;
  /** The limit that passed, in ms. */
  timeoutMs: number;
}

/**
 * An attempt ran longer than its `timeoutMs`: the handler's signal aborted with this error and
 * the attempt was reported failed (retried while attempts remain).
 */
export class TaskTimeoutError extends CovinaError<TaskTimeoutContext> {
  static override readonly code = 'E_TASK_TIMEOUT';
  declare readonly context: TaskTimeoutContext;
}

export interface TaskCancelledContext {
  taskId: string;
}

/**
 * The task was cancelled (`cancelTask`) while it ran: the handler's signal aborted with this
 * error at the next lease renewal, and whatever the handler returns is discarded.
 */
export class TaskCancelledError extends CovinaError<TaskCancelledContext> {
  static override readonly code = 'E_TASK_CANCELLED';
  declare readonly context: TaskCancelledContext;
}

export interface WorkerClosingContext {
  workerId: string;
  /** How long `close()` let the task run before giving it back, in ms. */
  deadlineMs: number;
}

/**
 * The worker is shutting down and the task did not finish before the deadline: the handler's
 * signal aborted with this error and the task was given back (the attempt does not count).
 */
export class WorkerClosingError extends CovinaError<WorkerClosingContext> {
  static override readonly code = 'E_WORKER_CLOSING';
  declare readonly context: WorkerClosingContext;
}

/**
 * Throw it from a handler (or a stage's `run`) to fail the task for good at once, without the
 * remaining attempts: the input is wrong and running again cannot help.
 *
 * ```ts
 * if (!task.payload?.url) throw new NonRetryableError('payload.url is missing');
 * ```
 */
export class NonRetryableError extends CovinaError<Record<string, unknown>> {
  static override readonly code = 'E_NON_RETRYABLE';
}

/** Errors of the Worker runner, by code. */
export const workerErrors = {
  E_TASK_TIMEOUT: TaskTimeoutError,
  E_TASK_CANCELLED: TaskCancelledError,
  E_WORKER_CLOSING: WorkerClosingError,
  E_NON_RETRYABLE: NonRetryableError,
} as const;
