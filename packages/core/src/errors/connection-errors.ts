import { CovinaError } from './covina-error.js';

/** Why a command could not reach Redis. */
export type UnavailableReason =
  /** The circuit breaker is open: recent commands failed, this one was not sent. */
  | 'circuit-open'
  /** The circuit breaker is half-open and its one probe is still in flight. */
  | 'circuit-half-open'
  /** The connection is down and the command's retries ran out (or it was closed). */
  | 'disconnected';

export interface RedisUnavailableContext {
  /** Where the client connects, with any password redacted. */
  endpoint: string;
  reason: UnavailableReason;
  /** The command that failed, lower case (never its arguments). */
  command?: string;
  /** When failing fast: milliseconds until the breaker lets a probe through. */
  retryInMs?: number;
}

/** Redis cannot be reached: the server is down, the link is broken, or the breaker is open. */
export class RedisUnavailableError extends CovinaError<RedisUnavailableContext> {
  static override readonly code = 'E_REDIS_UNAVAILABLE';
  declare readonly context: RedisUnavailableContext;
}

export interface RedisTimeoutContext {
  endpoint: string;
  command: string;
  timeoutMs: number;
}

/** A command got no reply within `commandTimeoutMs` (a stalled server or a black-holed link). */
export class RedisTimeoutError extends CovinaError<RedisTimeoutContext> {
  static override readonly code = 'E_REDIS_TIMEOUT';
  declare readonly context: RedisTimeoutContext;
}

export interface RedisAuthContext {
  endpoint: string;
  /** The ACL user, when one was given (never the password). */
  username?: string;
}

/** Redis refused the credentials (WRONGPASS, NOAUTH): a configuration problem, not an outage. */
export class RedisAuthError extends CovinaError<RedisAuthContext> {
  static override readonly code = 'E_REDIS_AUTH';
  declare readonly context: RedisAuthContext;
}

export interface ConnectionConfigContext {
  /** The option or environment variable that is wrong (`COVINA_REDIS_PORT`, `options.url`). */
  field: string;
  /** The offending value with any password redacted. */
  value?: string;
}

/** Connection options or `COVINA_REDIS_*` environment variables are invalid. */
export class ConnectionConfigError extends CovinaError<ConnectionConfigContext> {
  static override readonly code = 'E_CONNECTION_CONFIG';
  declare readonly context: ConnectionConfigContext;
}

export interface ConnectionPoolExhaustedContext {
  max: number;
  waitedMs: number;
}

/** Every extra connection (for blocking commands) stayed in use for the whole acquire timeout. */
export class ConnectionPoolExhaustedError extends CovinaError<ConnectionPoolExhaustedContext> {
  static override readonly code = 'E_CONNECTION_POOL_EXHAUSTED';
  declare readonly context: ConnectionPoolExhaustedContext;
}

/** Errors of the connection layer, by code. */
export const connectionErrors = {
  E_REDIS_UNAVAILABLE: RedisUnavailableError,
  E_REDIS_TIMEOUT: RedisTimeoutError,
  E_REDIS_AUTH: RedisAuthError,
  E_CONNECTION_CONFIG: ConnectionConfigError,
  E_CONNECTION_POOL_EXHAUSTED: ConnectionPoolExhaustedError,
} as const;
