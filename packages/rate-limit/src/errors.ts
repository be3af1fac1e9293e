import { CovinaError } from '@covina/core';

/** A limiter option or a check argument is invalid; `field` names it. */
export class RateLimitConfigError extends CovinaError<{ field: string; value?: unknown }> {
  static override readonly code = 'E_RATE_LIMIT_CONFIG';
  declare readonly context: { field: string; value?: unknown };
}

/** Redis did not answer a check within `timeoutMs` (and the limiter's policy is `'throw'`). */
export class RateLimitTimeoutError extends CovinaError<{ limiter: string; timeoutMs: number }> {
  static override readonly code = 'E_RATE_LIMIT_TIMEOUT';
  declare readonly context: { limiter: string; timeoutMs: number };
}

/** Redis is unreachable or failing (and the limiter's policy is `'throw'`); see `cause`. */
export class RateLimitUnavailableError extends CovinaError<{ limiter: string }> {
  static override readonly code = 'E_RATE_LIMIT_UNAVAILABLE';
  declare readonly context: { limiter: string };
}

/**
 * Redis answered a check with an error that is not an outage (`WRONGTYPE`: another program
 * wrote the limiter's key; a script error). Never hidden by a failure policy: it is a bug.
 */
export class RateLimitScriptError extends CovinaError<{ limiter: string }> {
  static override readonly code = 'E_RATE_LIMIT_SCRIPT';
  declare readonly context: { limiter: string };
}

/** Thrown by `consume()` when the request is denied: the context says when to retry. */
export class RateLimitExceededError extends CovinaError<RateLimitExceededContext> {
  static override readonly code = 'E_RATE_LIMITED';
  declare readonly context: RateLimitExceededContext;
}

/** Facts of a denial (no subject: it may be an API key or another secret). */
export interface RateLimitExceededContext {
  limiter: string;
  /** The rule that denied (its policy name). */
  rule: string;
  limit: number;
  retryAfterMs: number;
}

/** Every error class of this package, by code. */
export const errors = {
  E_RATE_LIMIT_CONFIG: RateLimitConfigError,
  E_RATE_LIMIT_TIMEOUT: RateLimitTimeoutError,
  E_RATE_LIMIT_UNAVAILABLE: RateLimitUnavailableError,
  E_RATE_LIMIT_SCRIPT: RateLimitScriptError,
  E_RATE_LIMITED: RateLimitExceededError,
} as const;
