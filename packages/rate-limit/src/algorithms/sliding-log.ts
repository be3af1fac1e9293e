import { type AlgorithmModel, type CheckOutcome, type RuleNumbers, toMs } from './model.js';

/** Time (µs) of every unit admitted within the longest window, oldest first. */
export type SlidingLogState = number[];

/** Index of the first entry newer than `after` (entries are sorted). */
function firstAfter(log: readonly number[], after: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]! > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Sliding log: remembers the time of every admitted unit, so "at most `limit` in any window"
 * holds exactly. Memory grows with the limit: for small limits. Mirrors `lua/sliding-log-n.lua`.
 */
export const slidingLog: AlgorithmModel<SlidingLogState> = {
  algorithm: 'sliding-log',
  check(state, now, rules, cost): CheckOutcome<SlidingLogState> {
    const longest = Math.max(...rules.map((r) => r.windowMs * 1000));
    // Entries older than the longest window count nowhere: drop them (the script does too).
    let log = state ?? [];
    const expired = firstAfter(log, now - longest);
    if (expired > 0) log = log.slice(expired);

    const inWindow: number[] = [];
    let ok = true;
    for (let j = 0; j < rules.length; j++) {
      const n = log.length - firstAfter(log, now - rules[j]!.windowMs * 1000);
      inWindow[j] = n;
      if (n + cost > rules[j]!.limit) ok = false;
    }
    const write = ok && cost > 0;
    if (write) {
      const at = firstAfter(log, now);
      log = [...log.slice(0, at), ...new Array<number>(cost).fill(now), ...log.slice(at)];
    }
    const newest = log.length > 0 ? log[log.length - 1]! : 0;

    const numbers: RuleNumbers[] = rules.map((rule, j) => {
      const W = rule.windowMs * 1000;
      const n = inWindow[j]! + (write ? cost : 0);
      let retry = 0;
      if (!ok && inWindow[j]! + cost > rule.limit) {
        // The request fits once the k oldest entries still in this window have left it.
        const k = inWindow[j]! + cost - rule.limit;
        const entry = log[firstAfter(log, now - W) + k - 1]!;
        retry = entry + W - now;
      }
      const remaining = Math.max(0, rule.limit - n);
      return { remaining, resetMs: n > 0 ? toMs(newest + W - now) : 0, retryAfterMs: toMs(retry) };
    });
    return {
      allowed: ok,
      rules: numbers,
      state: log.length > 0 ? log : undefined,
      ttlMs: write ? Math.max(1, toMs(newest + longest - now)) : undefined,
    };
  },
};
