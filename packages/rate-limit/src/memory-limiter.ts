import type { AlgorithmModel, CheckOutcome } from './algorithms/model.js';
import { BoundedMap } from './bounded-map.js';
import { epochUs, monotonicMs } from './clock.js';
import type { NormalizedRule } from './types.js';

interface Entry {
  state: unknown;
  /** Monotonic ms after which the state is stale (the script's PEXPIRE). */
  expiresAt: number;
}

/**
 * An algorithm run in this process's memory: the insurance limiter that decides while Redis is
 * down. The same model the tests hold the Lua scripts to, so it decides the same way. Holds at
 * most `maxKeys` subjects; the least recently written is forgotten first.
 */
export class MemoryLimiter {
  readonly #model: AlgorithmModel<unknown>;
  readonly #rules: readonly NormalizedRule[];
  readonly #entries: BoundedMap<string, Entry>;

  constructor(model: AlgorithmModel<unknown>, rules: readonly NormalizedRule[], maxKeys: number) {
    this.#model = model;
    this.#rules = rules;
    this.#entries = new BoundedMap(maxKeys);
  }

  check(key: string, cost: number): CheckOutcome<unknown> {
    const now = monotonicMs();
    const entry = this.#entries.get(key);
    const state = entry !== undefined && entry.expiresAt > now ? entry.state : undefined;
    const outcome = this.#model.check(state, epochUs(), this.#rules, cost);
    if (outcome.ttlMs !== undefined) {
      this.#entries.set(key, { state: outcome.state, expiresAt: now + outcome.ttlMs });
    } else if (entry !== undefined && outcome.state !== entry.state) {
      entry.state = outcome.state;
    }
    return outcome;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
