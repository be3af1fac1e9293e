import { CovinaError } from '../errors/covina-error.js';

/** Facts about bad input: which argument or option, and what is wrong with it. */
export interface StateValidationContext {
  /** The argument or option at fault, e.g. `key`, `entries[3].value`, `options.ttlMs`. */
  field: string;
  /** What was expected. */
  reason: string;
}

/** A key, value, TTL, option or checkpoint was rejected before anything reached Redis. */
export class StateValidationError extends CovinaError<StateValidationContext> {
  static override readonly code = 'E_STATE_VALIDATION';
  declare readonly context: StateValidationContext;

  constructor(field: string, reason: string, cause?: unknown) {
    super(`StateStore: ${field} ${reason}`, {
      context: { field, reason },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

export interface StatePayloadTooLargeContext {
  /** The argument holding the value, e.g. `value` or `entries[3].value`. */
  field: string;
  /** Size of the value in bytes. */
  bytes: number;
  /** The store's `maxValueBytes`. */
  limit: number;
}

/** A value is larger than the store's `maxValueBytes`; nothing was written. */
export class StatePayloadTooLargeError extends CovinaError<StatePayloadTooLargeContext> {
  static override readonly code = 'E_STATE_PAYLOAD_TOO_LARGE';
  declare readonly context: StatePayloadTooLargeContext;

  constructor(field: string, bytes: number, limit: number) {
    super(`StateStore: ${field} is ${bytes} bytes, above maxValueBytes (${limit})`, {
      context: { field, bytes, limit },
    });
  }
}

export interface StateRedisContext {
  /** The StateStore method that failed, e.g. `batchPut`. */
  operation: string;
  /** The store's namespace. */
  namespace: string;
}

/**
 * Redis could not be reached or stopped answering (connection closed, refused, retries
 * exhausted, LOADING, CLUSTERDOWN…). The operation may or may not have been applied: only
 * acknowledged writes are known to be stored. `cause` holds the client's error.
 */
export class StateUnavailableError extends CovinaError<StateRedisContext> {
  static override readonly code = 'E_STATE_UNAVAILABLE';
  declare readonly context: StateRedisContext;
}

/** Redis answered with an error (e.g. WRONGTYPE: a foreign key inside the namespace). */
export class StateCommandError extends CovinaError<StateRedisContext> {
  static override readonly code = 'E_STATE_COMMAND';
  declare readonly context: StateRedisContext;
}

export interface StateScanTimeoutContext extends StateRedisContext {
  /** Keys seen before time ran out. */
  scanned: number;
  /** The budget that ran out, in milliseconds. */
  timeBudgetMs: number;
}

/** A SCAN-based operation (listKeys, count, clear, checkpoint…) ran past its time budget. */
export class StateScanTimeoutError extends CovinaError<StateScanTimeoutContext> {
  static override readonly code = 'E_STATE_SCAN_TIMEOUT';
  declare readonly context: StateScanTimeoutContext;
}

/** A SCAN-based operation was stopped by its `AbortSignal`. */
export class StateAbortedError extends CovinaError<StateRedisContext> {
  static override readonly code = 'E_STATE_ABORTED';
  declare readonly context: StateRedisContext;
}

/** Errors of the StateStore, by code. */
export const stateErrors = {
  E_STATE_VALIDATION: StateValidationError,
  E_STATE_PAYLOAD_TOO_LARGE: StatePayloadTooLargeError,
  E_STATE_UNAVAILABLE: StateUnavailableError,
  E_STATE_COMMAND: StateCommandError,
  E_STATE_SCAN_TIMEOUT: StateScanTimeoutError,
  E_STATE_ABORTED: StateAbortedError,
} as const;
