import type { NormalizedRule } from '../../src/types.js';

/**
 * Textbook definitions, written for clarity rather than speed and independently of the models:
 * exact integer (BigInt) arithmetic, full history, no shortcuts.
 */

/** Admitted units, as (time µs, cost) pairs. */
export type History = Array<{ at: number; cost: number }>;

/** Units admitted in the trailing window (now - window, now]. */
export function unitsInWindow(history: History, now: number, windowUs: number): number {
  let n = 0;
  for (const h of history) if (h.at > now - windowUs && h.at <= now) n += h.cost;
  return n;
}

/** Sliding log, by definition: at most `limit` units in any trailing window, for every rule. */
export function idealLogAdmits(
  history: History,
  now: number,
  rules: readonly NormalizedRule[],
  cost: number,
) {
  return rules.every((r) => unitsInWindow(history, now, r.windowMs * 1000) + cost <= r.limit);
}

/**
 * Token bucket, by definition: a bucket of `burst` tokens refilled continuously at
 * `limit / window`, replayed from the first admission. Tokens are rationals (BigInt
 * numerators over window µs), so nothing is rounded.
 */
export function idealBucketAdmits(
  history: History,
  now: number,
  rules: readonly NormalizedRule[],
  cost: number,
) {
  return rules.every((r) => {
    const W = BigInt(r.windowMs * 1000);
    const capacity = BigInt(r.burst) * W;
    let tokens = capacity;
    let last: number | undefined;
    const refill = (t: number) => {
      if (last !== undefined) {
        tokens += BigInt(t - last) * BigInt(r.limit);
        if (tokens > capacity) tokens = capacity;
      }
      last = t;
    };
    for (const h of history) {
      refill(h.at);
      tokens -= BigInt(h.cost) * W;
    }
    refill(now);
    return tokens >= BigInt(cost) * W;
  });
}
