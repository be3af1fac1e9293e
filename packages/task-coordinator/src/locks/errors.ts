import { CovinaError } from '@covina/core';

/** The kinds of lock this package hands out. */
export type LockKind = 'mutex' | 'semaphore' | 'read' | 'write';

export interface LockTimeoutContext {
  /** Lock (or semaphore, read-write lock) name. */
  lock: string;
  kind: LockKind;
  /** How long the caller was willing to wait, in ms. */
  waitMs: number;
  /** `held`: someone else kept it the whole time; `no-reply`: Redis did not answer in time. */
  reason: 'held' | 'no-reply';
}

const LABELS: Record<LockKind, string> = {
  mutex: 'Lock',
  semaphore: 'Semaphore permit',
  read: 'Read lock',
  write: 'Write lock',
};

/** `Lock "orders"`, `Read lock "catalog"`: how messages name a lock. */
export function describeLock(kind: LockKind, name: string): string {
  return `${LABELS[kind]} "${name}"`;
}

/** The lock could not be taken within `waitMs`. */
export class LockTimeoutError extends CovinaError<LockTimeoutContext> {
  static override readonly code = 'E_LOCK_TIMEOUT';
  declare readonly context: LockTimeoutContext;
}

export interface LockLostContext {
  lock: string;
  kind: LockKind;
  /** Fencing token of the lease that was lost. */
  fence: number;
  /**
   * `expired`: the lease ran out before it could be extended (Redis unreachable or paused, the
   * process stalled); `taken`: Redis no longer holds this lease (it expired there and may belong
   * to another owner now); `released`: this holder released it already.
   */
  reason: 'expired' | 'taken' | 'released';
}

/** A held lock was lost: whatever it protected may already be in another owner's hands. */
export class LockLostError extends CovinaError<LockLostContext> {
  static override readonly code = 'E_LOCK_LOST';
  declare readonly context: LockLostContext;
}

export interface LockAbortedContext {
  lock: string;
  kind: LockKind;
}

/** Waiting for a lock was cancelled through its `signal` (the signal's reason is the `cause`). */
export class LockAbortedError extends CovinaError<LockAbortedContext> {
  static override readonly code = 'E_LOCK_ABORTED';
  declare readonly context: LockAbortedContext;
}

export interface StaleFenceTokenContext {
  /** The protected resource. */
  resource: string;
  /** The token that was refused. */
  fence: number;
  /** The highest token the resource has accepted. */
  highest: number;
}

/** A protected resource refused a fencing token: a newer lock holder has already written. */
export class StaleFenceTokenError extends CovinaError<StaleFenceTokenContext> {
  static override readonly code = 'E_STALE_FENCE_TOKEN';
  declare readonly context: StaleFenceTokenContext;
}

export interface InvalidOptionContext {
  /** The option at fault, as the caller wrote it (`ttlMs`, `permits`, `heartbeatMs`…). */
  option: string;
  /** What it must be. */
  expected: string;
}

/** An option has a value this package cannot work with; nothing was changed. */
export class InvalidOptionError extends CovinaError<InvalidOptionContext> {
  static override readonly code = 'E_INVALID_OPTION';
  declare readonly context: InvalidOptionContext;
}

/** Errors of the lock API, by code. */
export const lockErrors = {
  E_LOCK_TIMEOUT: LockTimeoutError,
  E_LOCK_LOST: LockLostError,
  E_LOCK_ABORTED: LockAbortedError,
  E_STALE_FENCE_TOKEN: StaleFenceTokenError,
  E_INVALID_OPTION: InvalidOptionError,
} as const;
