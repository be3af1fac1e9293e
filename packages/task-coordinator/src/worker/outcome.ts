import { isCovinaError, type LeaseLostError } from '@covina/core';
import { TaskCancelledError } from './errors.js';

/** The store says the task is not ours any more: the lease was lost, or the task is gone. */
export function isLeaseGone(error: unknown): boolean {
  return isCovinaError(error, 'E_LEASE_LOST') || isCovinaError(error, 'E_TASK_NOT_FOUND');
}

/** The reason a handler's signal aborts with when its lease is gone: cancellation gets its own error. */
export function lossReason(taskId: string, error: unknown): unknown {
  if (
    isCovinaError(error, 'E_LEASE_LOST') &&
    (error as unknown as LeaseLostError).context?.status === 'cancelled'
  ) {
    return new TaskCancelledError(`Task ${taskId} was cancelled while it ran`, {
      context: { taskId },
      cause: error,
    });
  }
  return error;
}

/** The store refused the result itself (not serialisable, too large): running again will not help. */
export function isResultRefused(error: unknown): boolean {
  return isCovinaError(error, 'E_VALIDATION') || isCovinaError(error, 'E_PAYLOAD_TOO_LARGE');
}

/** Handler errors that fail the task for good: `NonRetryableError`, or any error with `retryable: false`. */
export function isRetryable(error: unknown): boolean {
  if (isCovinaError(error, 'E_NON_RETRYABLE')) return false;
  return !(
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === false
  );
}

/** Retry delay of a failed write or claim: 50 ms doubling to 2 s, with jitter. */
export function retryDelay(attempt: number): number {
  const base = Math.min(2_000, 50 * 2 ** Math.min(attempt, 6));
  return Math.floor(base / 2 + Math.random() * (base / 2));
}
