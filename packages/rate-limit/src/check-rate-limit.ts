import { createKeyRegistry } from '@covina/cache-keys';
import type { Cluster, Redis } from 'ioredis';
import { BoundedMap } from './bounded-map.js';
import { RateLimitConfigError } from './errors.js';
import { LimiterCore } from './limiter-core.js';
import type { LimiterBehaviourOptions, RateKeyRegistry } from './options.js';
import { checkAlgorithm, integerIn, MAX_LIMIT, MAX_WINDOW_MS, normalizeRules } from './rules.js';
import type { Algorithm } from './types.js';

export interface CheckRateLimitOptions extends LimiterBehaviourOptions {
  /** The ioredis client (standalone or `Cluster`). */
  redis: Redis | Cluster;
  /**
   * The algorithm every `checkRateLimit` call uses.
   * @default 'sliding-window'
   */
  algorithm?: Algorithm;
  /**
   * The registry keys must come from: a key no registered template made is refused.
   * @default createKeyRegistry({ prefix })
   */
  keys?: RateKeyRegistry;
  /**
   * Key prefix, used when `keys` is not given.
   * @default 'covina'
   */
  prefix?: string;
}

const MAX_LIMITERS = 1_000;

/** Seconds → whole milliseconds (`4.35` is 4349.999… ms in floating point: taken as 4350). */
function toWindowMs(windowSeconds: number): number {
  const ms = Math.round(windowSeconds * 1000);
  if (
    typeof windowSeconds !== 'number' ||
    !(Math.abs(ms - windowSeconds * 1000) < 1e-6) ||
    ms < 1 ||
    ms > MAX_WINDOW_MS
  ) {
    throw new RateLimitConfigError(
      `windowSeconds must be whole milliseconds from 0.001 to ${MAX_WINDOW_MS / 1000}, got ${String(windowSeconds)}`,
      { context: { field: 'windowSeconds', value: windowSeconds } },
    );
  }
  return ms;
}

/** `checkRateLimit(key, maxRequests, windowSeconds)`: true when the request is allowed (and counted). */
export type CheckRateLimit = (key: string, maxRequests: number, windowSeconds: number) => Promise<boolean>;

/**
 * The product's simple form: a function that allows at most `maxRequests` per `windowSeconds`
 * on a key built from a registered template, such as the standard per-function OpenAI counter.
 * Same machinery as `RateLimiter` (one atomic script, timeout, failure policy, block list).
 *
 * ```ts
 * const checkRateLimit = createCheckRateLimit({ redis });
 * const key = keys.format('openaiRate', { function_name: 'embed' }); // covina:rate:openai:embed
 * if (!(await checkRateLimit(key, 60, 60))) throw new Error('slow down');
 * ```
 */
export function createCheckRateLimit(options: CheckRateLimitOptions): CheckRateLimit {
  const algorithm = checkAlgorithm(options.algorithm ?? 'sliding-window');
  const keys = options.keys ?? createKeyRegistry({ prefix: options.prefix ?? 'covina' });
  // One limiter per (maxRequests, windowSeconds) in use; bounded, in case callers compute them.
  const limiters = new BoundedMap<string, LimiterCore>(MAX_LIMITERS);

  return async (key, maxRequests, windowSeconds) => {
    if (typeof key !== 'string' || keys.typeOf(key) === undefined) {
      throw new RateLimitConfigError(
        "key must be made by a registered key template, e.g. keys.format('openaiRate', { function_name })",
        { context: { field: 'key' } },
      );
    }
    const windowMs = toWindowMs(windowSeconds);
    const id = `${maxRequests}/${windowMs}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      const limit = integerIn('maxRequests', maxRequests, 1, MAX_LIMIT);
      const rules = normalizeRules({ limit, windowMs }, algorithm);
      limiter = new LimiterCore(options.redis, 'checkRateLimit', algorithm, rules, options);
      limiters.set(id, limiter);
    }
    const result = await limiter.checkKey(key, 1);
    return result.allowed;
  };
}
