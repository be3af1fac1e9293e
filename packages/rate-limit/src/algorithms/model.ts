import type { Algorithm, NormalizedRule } from '../types.js';

/** One rule's numbers, as the Lua scripts return them (milliseconds, rounded up). */
export interface RuleNumbers {
  readonly remaining: number;
  readonly resetMs: number;
  /** 0 when this rule admits the request. */
  readonly retryAfterMs: number;
}

/** What one check did to one subject's state. */
export interface CheckOutcome<State> {
  readonly allowed: boolean;
  readonly rules: readonly RuleNumbers[];
  /** The state after the check (the same object when nothing changed). */
  readonly state: State | undefined;
  /** How long the state must be kept, in ms, when the check wrote it; `undefined` if it did not. */
  readonly ttlMs: number | undefined;
}

/**
 * A plain TypeScript implementation of one algorithm, written to match its Lua script step for
 * step (same formulas, same order of floating-point operations, so the same decisions for the
 * same server times). It is the reference model the tests hold the scripts to, and the engine
 * of the in-memory insurance limiter.
 */
export interface AlgorithmModel<State> {
  readonly algorithm: Algorithm;
  /**
   * One check of `cost` units at time `nowUs` (microseconds since the epoch): every rule admits
   * it and it is counted under each, or nothing is counted.
   */
  check(
    state: State | undefined,
    nowUs: number,
    rules: readonly NormalizedRule[],
    cost: number,
  ): CheckOutcome<State>;
}

/** Microseconds → milliseconds, rounded up (as the scripts do). */
export const toMs = (us: number): number => Math.ceil(us / 1000);

/** Tolerance for floating-point noise when a fractional amount is compared or floored. */
export const EPSILON = 1e-9;
