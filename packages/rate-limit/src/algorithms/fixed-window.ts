import { toMs } from './model.js';
import { perRuleModel } from './per-rule.js';

/** Per rule: the window's index (`floor(now / window)`) and the units counted in it. */
export type FixedWindowState = Array<{ window: number; count: number }>;

/**
 * Fixed window: a counter per rule that starts from zero at every multiple of the window
 * (aligned to the epoch). Cheapest; admits up to 2 × limit across a window boundary.
 * Mirrors `lua/fixed-window-n.lua`.
 */
export const fixedWindow = perRuleModel<FixedWindowState[number]>('fixed-window', (state, now, rules) => {
  const count: number[] = [];
  const index = (j: number) => Math.floor(now / (rules[j]!.windowMs * 1000));
  return {
    fits(j, cost) {
      const stored = state?.[j];
      count[j] = stored !== undefined && stored.window === index(j) ? stored.count : 0;
      return count[j]! + cost <= rules[j]!.limit;
    },
    settle(j, ok, cost) {
      const { limit, windowMs } = rules[j]!;
      const left = (index(j) + 1) * windowMs * 1000 - now;
      let n = count[j]!;
      let retry = 0;
      if (ok) n = n + cost;
      else if (n + cost > limit) retry = left;
      return {
        numbers: {
          remaining: Math.max(0, limit - n),
          resetMs: n > 0 ? toMs(left) : 0,
          retryAfterMs: toMs(retry),
        },
        saved: { window: index(j), count: n },
        ttlMs: toMs(left),
      };
    },
  };
});
