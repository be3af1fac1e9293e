import type { KeyRegistry } from '@covina/cache-keys';
import type { Cluster, Redis } from 'ioredis';
import type { Algorithm, RateLimitRule } from './types.js';

/** What limiters need of a key registry: any `createKeyRegistry()` result fits. */
export type RateKeyRegistry = Pick<KeyRegistry, 'formatDynamic' | 'typeOf'>;

/** What a check does when Redis fails or does not answer within `timeoutMs`. */
export type FailurePolicy =
  /** Allow the request, uncounted (availability first). */
  | 'fail-open'
  /** Deny the request (protection first). */
  | 'fail-closed'
  /** Decide with an in-memory limiter of the same algorithm until Redis is back. */
  | 'insurance'
  /** Reject the check with `RateLimitTimeoutError` / `RateLimitUnavailableError`. */
  | 'throw';

/** Options shared by every limiter (also those `checkRateLimit` makes). */
export interface LimiterBehaviourOptions {
  /**
   * How long a check waits for Redis before the failure policy decides.
   * @default 150
   */
  timeoutMs?: number;
  /**
   * What a check does when Redis fails or is slower than `timeoutMs`.
   * @default 'fail-open'
   */
  onRedisFailure?: FailurePolicy;
  /**
   * After a failure, checks skip Redis (the policy decides at once, no timeout waited) for this
   * long; then one call probes it, and the first success hands decisions back to Redis.
   * @default 1000
   */
  retryRedisAfterMs?: number;
  /**
   * `insurance` policy: the share of each rule's limit (and burst) one process grants while
   * Redis is down, e.g. `0.25` when four processes share the limit. At least 1 unit is granted.
   * @default 1
   */
  insuranceShare?: number;
  /**
   * `insurance` policy: most subjects the in-memory limiter tracks; the least recently used is
   * forgotten first.
   * @default 10_000
   */
  insuranceMaxKeys?: number;
  /**
   * Answer subjects already over their limit from memory until their retry time, without a
   * Redis call. Sound: only waiting frees quota. `0` turns it off.
   * @default 10_000 (subjects remembered at most)
   */
  blockListMaxKeys?: number;
  /**
   * Most checks sent in one script call. Checks started in the same tick share a call
   * (on Redis Cluster, only those whose keys share a slot). `1` sends each check alone.
   * @default 64
   */
  maxBatch?: number;
  /**
   * Called when a check finds Redis failing (a timeout, a lost connection…), e.g. to log it:
   * once when Redis starts failing and once per failed probe, not for every check decided
   * while Redis is skipped.
   * @default none
   */
  onError?: (error: Error) => void;
}

export interface RateLimiterOptions extends LimiterBehaviourOptions {
  /** The ioredis client (standalone or `Cluster`) that holds the limiter's state. */
  redis: Redis | Cluster;
  /**
   * The limiter's name: the group its counters belong to (`'api'`, `'login'`, `'openai'`).
   * Each subject has its own counters per limiter. Letters, digits, `_`, `-` and `.`.
   */
  name: string;
  /**
   * One rule, or several checked together: a request is admitted only if every rule admits
   * it, and then counted under each (`[{ limit: 10, windowMs: 1000 }, { limit: 1000, windowMs: 3_600_000 }]`).
   */
  limits: RateLimitRule | readonly RateLimitRule[];
  /**
   * - `'sliding-window'`: two weighted counters per rule; smooth, O(1), approximate.
   * - `'fixed-window'`: one counter per rule; cheapest, up to 2 × limit across a boundary.
   * - `'sliding-log'`: every admitted unit's time; exact, memory grows with the limit.
   * - `'token-bucket'`: refills at limit/window up to `burst`.
   * - `'gcra'`: the same shape as a token bucket in one number; exact retry-after.
   * @default 'sliding-window'
   */
  algorithm?: Algorithm;
  /**
   * The key registry keys are formatted with (its prefix isolates tenants and tests).
   * @default createKeyRegistry({ prefix })
   */
  keys?: RateKeyRegistry;
  /**
   * Key prefix, used when `keys` is not given.
   * @default 'covina'
   */
  prefix?: string;
}

/** Options of one check. */
export interface CheckOptions {
  /**
   * Units this request costs (a weight: tokens, bytes, pages…). `0` reads the state without
   * counting anything. At most the smallest limit (or burst).
   * @default 1
   */
  cost?: number;
}

/** Options of `acquire()`. */
export interface AcquireOptions extends CheckOptions {
  /**
   * Longest total wait: when the next retry would end later, `acquire()` rejects with
   * `RateLimitExceededError` at once instead of sleeping.
   * @default 60_000
   */
  maxWaitMs?: number;
  /**
   * Aborts the wait (rejects with the signal's reason).
   * @default none
   */
  signal?: AbortSignal;
}
