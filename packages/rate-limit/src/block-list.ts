import { BoundedMap } from './bounded-map.js';
import { monotonicMs } from './clock.js';
import type { RateLimitResult, RuleResult } from './types.js';

interface Block {
  /** Monotonic ms when the denial was made. */
  readonly at: number;
  /** Monotonic ms until which the same request cannot succeed. */
  readonly until: number;
  /** The denied cost: a request of at least this cost is denied too. */
  readonly cost: number;
  readonly result: RateLimitResult;
}

const age = (rule: RuleResult, elapsed: number): RuleResult => ({
  ...rule,
  resetMs: Math.max(0, rule.resetMs - elapsed),
  retryAfterMs: Math.max(0, rule.retryAfterMs - elapsed),
});

/**
 * Subjects known to be over their limit, answered from memory until their retry time so they
 * cost no Redis call. Sound because waiting is the only thing that frees quota: no other
 * process can make a denied request succeed sooner (except an explicit `reset()`, which clears
 * the entry here). Holds at most `maxKeys` subjects; the oldest block is dropped first.
 */
export class BlockList {
  readonly #blocks: BoundedMap<string, Block>;

  constructor(maxKeys: number) {
    this.#blocks = new BoundedMap(maxKeys);
  }

  /** The denial still in force for a request of `cost` on `key`, aged to now; else undefined. */
  get(key: string, cost: number): RateLimitResult | undefined {
    const block = this.#blocks.get(key);
    if (block === undefined) return undefined;
    const now = monotonicMs();
    if (now >= block.until) {
      this.#blocks.delete(key);
      return undefined;
    }
    if (cost < block.cost) return undefined;
    const elapsed = Math.floor(now - block.at);
    const { result } = block;
    return {
      ...result,
      resetMs: Math.max(0, result.resetMs - elapsed),
      retryAfterMs: Math.max(1, Math.ceil(block.until - now)),
      rules: result.rules.map((rule) => age(rule, elapsed)),
      source: 'blocked',
    };
  }

  /** Remembers a denial of a request of `cost` on `key`. */
  add(key: string, cost: number, result: RateLimitResult): void {
    if (result.allowed || result.retryAfterMs <= 0) return;
    const at = monotonicMs();
    this.#blocks.set(key, { at, until: at + result.retryAfterMs, cost, result });
  }

  delete(key: string): void {
    this.#blocks.delete(key);
  }
}
