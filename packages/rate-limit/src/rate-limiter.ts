import { setTimeout as sleep } from 'node:timers/promises';
import { createKeyRegistry } from '@covina/cache-keys';
import { RateLimitConfigError, RateLimitExceededError } from './errors.js';
import { LimiterCore } from './limiter-core.js';
import type { AcquireOptions, CheckOptions, RateKeyRegistry, RateLimiterOptions } from './options.js';
import { checkAlgorithm, normalizeRules } from './rules.js';
import { encodeSubject } from './subject.js';
import type { Algorithm, NormalizedRule, RateLimitResult } from './types.js';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Subjects whose key is remembered; past this the memo starts over (hot subjects come back at once). */
const KEY_MEMO_SIZE = 10_000;

/**
 * A distributed rate limiter: one Lua script per check, on Redis's clock, with several rules
 * checked atomically (all or nothing), a block list for subjects already over their limit, a
 * per-check timeout and a failure policy.
 *
 * ```ts
 * const limiter = new RateLimiter({ redis, name: 'api', limits: [
 *   { limit: 10, windowMs: 1_000 }, { limit: 1_000, windowMs: 3_600_000 }] });
 * const { allowed, retryAfterMs } = await limiter.check(userId);
 * ```
 */
export class RateLimiter {
  /** The limiter's name (its group). */
  readonly name: string;
  readonly algorithm: Algorithm;
  /** The rules, validated, with their defaults filled in. */
  readonly rules: readonly NormalizedRule[];
  readonly #core: LimiterCore;
  readonly #keys: RateKeyRegistry;
  /** subject → key: formatting (validation, encoding) costs more than the rest of a check. */
  readonly #keyMemo = new Map<string, string>();

  constructor(options: RateLimiterOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new RateLimitConfigError('RateLimiter needs an options object', {
        context: { field: 'options' },
      });
    }
    if (typeof options.redis !== 'object' || options.redis === null) {
      throw new RateLimitConfigError('redis must be an ioredis Redis or Cluster client', {
        context: { field: 'redis' },
      });
    }
    if (typeof options.name !== 'string' || !NAME.test(options.name)) {
      throw new RateLimitConfigError(
        `name must be 1-64 letters, digits, "_", "-" or ".", got ${JSON.stringify(options.name)}`,
        { context: { field: 'name', value: options.name } },
      );
    }
    const algorithm = checkAlgorithm(options.algorithm ?? 'sliding-window');
    const rules = normalizeRules(options.limits, algorithm);
    this.name = options.name;
    this.algorithm = algorithm;
    this.rules = rules;
    this.#keys = options.keys ?? createKeyRegistry({ prefix: options.prefix ?? 'covina' });
    this.#core = new LimiterCore(options.redis, options.name, algorithm, rules, options);
  }

  /**
   * Checks one request of `subject` (an IP, user id, API key…) and counts it if every rule
   * admits it. Never throws for a denial: read `allowed`. Throws `RateLimitConfigError` for a
   * bad subject or cost, and, with `onRedisFailure: 'throw'`, when Redis fails.
   */
  check(subject: string, options?: CheckOptions): Promise<RateLimitResult> {
    try {
      return this.#core.checkKey(this.key(subject), this.#core.cost(options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Like `check()`, but a denial rejects with `RateLimitExceededError` (its context says when to retry). */
  async consume(subject: string, options?: CheckOptions): Promise<RateLimitResult> {
    const result = await this.check(subject, options);
    if (result.allowed) return result;
    throw this.#exceeded(result);
  }

  /**
   * Waits until `subject` may make a request of `cost`, then counts it: for workers calling a
   * rate-limited API. Sleeps for each denial's retry-after and tries again (no queue: under
   * contention the waiters race, and one may wait longer than another). Rejects with
   * `RateLimitExceededError` when the wait would pass `maxWaitMs`.
   */
  async acquire(subject: string, options: AcquireOptions = {}): Promise<RateLimitResult> {
    const { maxWaitMs = 60_000, signal } = options;
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      signal?.throwIfAborted();
      const result = await this.check(subject, options);
      if (result.allowed) return result;
      if (performance.now() + result.retryAfterMs > deadline) throw this.#exceeded(result);
      await sleep(result.retryAfterMs, undefined, { signal }).catch((error: unknown) => {
        throw signal?.aborted ? signal.reason : error;
      });
    }
  }

  #exceeded(result: RateLimitResult): RateLimitExceededError {
    const rule = result.rules.find((r) => !r.allowed) ?? result.rules[0]!;
    return new RateLimitExceededError(
      `Rate limit "${rule.name}" of limiter "${this.name}" exceeded: retry in ${result.retryAfterMs} ms`,
      {
        context: {
          limiter: this.name,
          rule: rule.name,
          limit: rule.limit,
          retryAfterMs: result.retryAfterMs,
        },
      },
    );
  }

  /** Reads `subject`'s state without counting anything (a check of cost 0). */
  peek(subject: string): Promise<RateLimitResult> {
    return this.check(subject, { cost: 0 });
  }

  /**
   * Clears `subject`'s counters in Redis and in this process. Other processes' block lists
   * still hold a subject they saw denied until its retry time.
   */
  async reset(subject: string): Promise<void> {
    const key = this.key(subject);
    this.#core.forget(key);
    await this.#core.deleteKey(key);
  }

  /** The Redis key of `subject`'s state (all rules of this limiter live in it). */
  key(subject: string): string {
    let key = this.#keyMemo.get(subject);
    if (key === undefined) {
      key = this.#keys.formatDynamic('rateLimit', {
        limiter: this.name,
        subject: encodeSubject(subject),
        algorithm: this.algorithm,
      });
      if (this.#keyMemo.size >= KEY_MEMO_SIZE) this.#keyMemo.clear();
      this.#keyMemo.set(subject, key);
    }
    return key;
  }
}
