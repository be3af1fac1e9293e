import { EPSILON, toMs } from './model.js';
import { perRuleModel } from './per-rule.js';

/** Per rule: the current window's index and the counts of the current and previous windows. */
export type SlidingWindowState = Array<{ window: number; current: number; previous: number }>;

/**
 * Sliding window counter: the previous fixed window's count, weighted by how much of it still
 * overlaps the trailing window, plus the current window's count. O(1) per rule; exact when
 * traffic is spread evenly, and never more than `limit` per aligned window.
 * Mirrors `lua/sliding-window-n.lua` (same formulas, same order of floating-point operations).
 */
export const slidingWindow = perRuleModel<SlidingWindowState[number]>(
  'sliding-window',
  (state, now, rules) => {
    const current: number[] = [];
    const previous: number[] = [];
    const weighted: number[] = [];
    const size = (j: number) => rules[j]!.windowMs * 1000;
    const index = (j: number) => Math.floor(now / size(j));
    const elapsed = (j: number) => now - index(j) * size(j);
    return {
      fits(j, cost) {
        const W = size(j);
        const w = index(j);
        const stored = state?.[j];
        let c = 0;
        let p = 0;
        if (stored !== undefined && stored.window === w) {
          c = stored.current;
          p = stored.previous;
        } else if (stored !== undefined && stored.window === w - 1) {
          p = stored.current;
        }
        current[j] = c;
        previous[j] = p;
        weighted[j] = (p * (W - elapsed(j))) / W;
        return weighted[j]! + c + cost <= rules[j]!.limit;
      },
      settle(j, ok, cost) {
        const W = size(j);
        const e = elapsed(j);
        const p = previous[j]!;
        const L = rules[j]!.limit;
        let c = current[j]!;
        let retry = 0;
        if (ok) {
          c = c + cost;
        } else if (weighted[j]! + c + cost > L) {
          const room = L - c - cost;
          // Fits in this window once enough of the previous one has slid out; else only in the
          // next window, once enough of this one has slid out.
          if (room >= 0) retry = W - e - (room * W) / p;
          else retry = W - e + Math.max(0, W - ((L - cost) * W) / c);
        }
        const reset = c > 0 ? 2 * W - e : p > 0 ? W - e : 0;
        return {
          numbers: {
            remaining: Math.max(0, Math.floor(L - weighted[j]! - c + EPSILON)),
            resetMs: toMs(reset),
            retryAfterMs: toMs(retry),
          },
          saved: { window: index(j), current: c, previous: p },
          ttlMs: toMs(2 * W - e),
        };
      },
    };
  },
);
