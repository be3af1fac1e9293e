import type { Cluster, Redis } from 'ioredis';
import { models } from './algorithms/index.js';
import type { AlgorithmModel } from './algorithms/model.js';
import { BlockList } from './block-list.js';
import { monotonicMs } from './clock.js';
import {
  RateLimitConfigError,
  RateLimitScriptError,
  RateLimitTimeoutError,
  RateLimitUnavailableError,
} from './errors.js';
import { MemoryLimiter } from './memory-limiter.js';
import type { CheckOptions, FailurePolicy, LimiterBehaviourOptions } from './options.js';
import { type BatchSlot, CheckBatcher } from './redis/batcher.js';
import { isOutage } from './redis/outage.js';
import { rateScript } from './redis/scripts.js';
import { blindResult, buildResult } from './result.js';
import { maxCost } from './rules.js';
import type { Algorithm, NormalizedRule, RateLimitResult } from './types.js';

const POLICIES: readonly FailurePolicy[] = ['fail-open', 'fail-closed', 'insurance', 'throw'];
/** ioredis states in which a command would only wait in the offline queue. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

function option(field: string, value: number | undefined, fallback: number, min: number, max: number) {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RateLimitConfigError(`${field} must be a number from ${min} to ${max}, got ${String(v)}`, {
      context: { field, value: v },
    });
  }
  return v;
}

/**
 * The machinery every limiter shares: validation of a check, the block list, batching into
 * the algorithm's script, the timeout, and the failure policy with its insurance limiter.
 * Keys are the caller's business (`RateLimiter` formats them from subjects).
 */
export class LimiterCore {
  readonly name: string;
  readonly algorithm: Algorithm;
  readonly rules: readonly NormalizedRule[];
  readonly #redis: Redis | Cluster;
  readonly #maxCost: number;
  readonly #args: Array<string | number>;
  readonly #stride: number;
  readonly #policy: FailurePolicy;
  readonly #timeoutMs: number;
  readonly #retryRedisAfterMs: number;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #batcher: CheckBatcher;
  readonly #blocks: BlockList | undefined;
  readonly #insurance: MemoryLimiter | undefined;
  /** The rules scaled by `insuranceShare`: what the insurance limiter enforces and reports. */
  readonly #insuranceRules: readonly NormalizedRule[];
  readonly #insuranceMaxCost: number;
  /** Monotonic ms before which Redis is not tried again after a failure (0: healthy). */
  #skipRedisUntil = 0;
  #failing = false;

  constructor(
    redis: Redis | Cluster,
    name: string,
    algorithm: Algorithm,
    rules: readonly NormalizedRule[],
    options: LimiterBehaviourOptions,
  ) {
    this.#redis = redis;
    this.name = name;
    this.algorithm = algorithm;
    this.rules = rules;
    this.#maxCost = maxCost(rules, algorithm);
    this.#stride = 1 + 3 * rules.length;
    this.#args = [rules.length];
    for (const rule of rules) this.#args.push(rule.limit, rule.windowMs, rule.burst);

    const policy = options.onRedisFailure ?? 'fail-open';
    if (!POLICIES.includes(policy)) {
      throw new RateLimitConfigError(
        `onRedisFailure must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(policy)}`,
        { context: { field: 'onRedisFailure', value: policy } },
      );
    }
    this.#policy = policy;
    this.#timeoutMs = option('timeoutMs', options.timeoutMs, 150, 1, 60_000);
    this.#retryRedisAfterMs = option('retryRedisAfterMs', options.retryRedisAfterMs, 1000, 0, 3_600_000);
    const share = option('insuranceShare', options.insuranceShare, 1, Number.MIN_VALUE, 1);
    const insuranceKeys = option('insuranceMaxKeys', options.insuranceMaxKeys, 10_000, 1, 10_000_000);
    const blockKeys = option('blockListMaxKeys', options.blockListMaxKeys, 10_000, 0, 10_000_000);
    const maxBatch = option('maxBatch', options.maxBatch, 64, 1, 1000);
    this.#onError = options.onError;

    this.#blocks = blockKeys > 0 ? new BlockList(Math.floor(blockKeys)) : undefined;
    this.#insuranceRules = rules.map((r) => ({
      ...r,
      limit: Math.max(1, Math.floor(r.limit * share)),
      burst: Math.max(1, Math.floor(r.burst * share)),
    }));
    this.#insuranceMaxCost = maxCost(this.#insuranceRules, algorithm);
    if (policy === 'insurance') {
      const model = models[algorithm] as AlgorithmModel<unknown>;
      this.#insurance = new MemoryLimiter(model, this.#insuranceRules, Math.floor(insuranceKeys));
    }
    const run = rateScript(redis, algorithm);
    const args = this.#args;
    this.#batcher = new CheckBatcher({
      send: (keys, costs) => run(keys, costs.length === 1 ? [...args, costs[0]!] : [...args, ...costs]),
      stride: this.#stride,
      maxBatch: Math.floor(maxBatch),
      bySlot: (redis as { isCluster?: boolean }).isCluster === true,
      timeoutMs: this.#timeoutMs,
      onTimeout: () =>
        new RateLimitTimeoutError(
          `Rate limiter "${name}": Redis did not answer within ${this.#timeoutMs} ms`,
          {
            context: { limiter: name, timeoutMs: this.#timeoutMs },
          },
        ),
    });
  }

  /** Validates a check's cost (an integer from 0 to the smallest limit or burst). */
  cost(options: CheckOptions | undefined): number {
    const cost = options?.cost ?? 1;
    if (!Number.isInteger(cost) || cost < 0 || cost > this.#maxCost) {
      throw new RateLimitConfigError(
        `cost must be an integer from 0 to ${this.#maxCost} (the smallest limit or burst), got ${String(cost)}`,
        { context: { field: 'cost', value: cost } },
      );
    }
    return cost;
  }

  /** One check of `cost` units on `key` (a key formatted from a registered template). */
  async checkKey(key: string, cost: number): Promise<RateLimitResult> {
    const blocked = this.#blocks?.get(key, cost);
    if (blocked) return blocked;
    if (!this.#redisWorthTrying()) return this.#fallback(key, cost, undefined);
    const probing = this.#failing;
    let slot: BatchSlot;
    try {
      slot = await this.#batcher.submit(key, cost);
    } catch (error) {
      if (!isOutage(error)) {
        // No key in the error: it holds the subject, which may be an API key.
        throw new RateLimitScriptError(`Rate limiter "${this.name}": Redis refused the check`, {
          context: { limiter: this.name },
          cause: error,
        });
      }
      // Report the first failure and each failed probe, not every check of a failed batch.
      this.#markFailed(!this.#failing || probing ? (error as Error) : undefined);
      return this.#fallback(key, cost, error);
    }
    if (this.#failing) this.#markRecovered();
    const { reply, offset } = slot;
    const result = buildResult(
      this.rules,
      reply[offset] === 1,
      (j) => {
        const at = offset + 1 + 3 * j;
        return { remaining: reply[at]!, resetMs: reply[at + 1]!, retryAfterMs: reply[at + 2]! };
      },
      'redis',
    );
    if (!result.allowed) this.#blocks?.add(key, cost, result);
    return result;
  }

  /** Deletes `key`'s state in Redis. */
  async deleteKey(key: string): Promise<void> {
    await this.#redis.del(key);
  }

  /** Forgets what this process remembers of `key` (block list, insurance state). */
  forget(key: string): void {
    this.#blocks?.delete(key);
    this.#insurance?.delete(key);
  }

  /** Is Redis healthy, or has it been failing long enough to probe it again? */
  #redisWorthTrying(): boolean {
    const status = (this.#redis as { status?: string }).status ?? 'ready';
    if (!this.#failing) {
      if (!DISCONNECTED.has(status)) return true;
      // The connection just dropped: don't queue behind the reconnect, decide now.
      this.#markFailed(
        new RateLimitUnavailableError(`Rate limiter "${this.name}": the Redis connection is ${status}`, {
          context: { limiter: this.name },
        }),
      );
      return false;
    }
    if (DISCONNECTED.has(status)) return false;
    const now = monotonicMs();
    if (now < this.#skipRedisUntil) return false;
    // Let this check probe Redis; the others keep deciding locally until it answers.
    this.#skipRedisUntil = now + this.#retryRedisAfterMs;
    return true;
  }

  #markFailed(report: Error | undefined): void {
    this.#failing = true;
    this.#skipRedisUntil = monotonicMs() + this.#retryRedisAfterMs;
    if (report) this.#onError?.(report);
  }

  #markRecovered(): void {
    this.#failing = false;
    this.#skipRedisUntil = 0;
    // Redis decides again: what the insurance limiter counted meanwhile is not carried over.
    this.#insurance?.clear();
  }

  #fallback(key: string, cost: number, error: unknown): RateLimitResult {
    switch (this.#policy) {
      case 'fail-open':
        return blindResult(this.rules, true, 0, 'fail-open');
      case 'fail-closed':
        return blindResult(this.rules, false, Math.max(1, this.#retryRedisAfterMs), 'fail-closed');
      case 'insurance': {
        if (cost > this.#insuranceMaxCost) {
          // Above the scaled limit it could never pass here: denied until Redis is back.
          return blindResult(this.#insuranceRules, false, Math.max(1, this.#retryRedisAfterMs), 'insurance');
        }
        const outcome = this.#insurance!.check(key, cost);
        return buildResult(this.#insuranceRules, outcome.allowed, (j) => outcome.rules[j]!, 'insurance');
      }
      case 'throw':
        if (error instanceof RateLimitTimeoutError) throw error;
        throw new RateLimitUnavailableError(`Rate limiter "${this.name}": Redis is unavailable`, {
          context: { limiter: this.name },
          cause: error,
        });
    }
  }
}
