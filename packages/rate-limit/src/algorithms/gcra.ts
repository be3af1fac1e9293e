import { perRuleModel } from './per-rule.js';

/**
 * Per rule, the theoretical arrival time (TAT) as a mixed fraction `q + r / limit` µs, so the
 * arithmetic stays on integers.
 */
export type GcraState = Array<{ q: number; r: number }>;

/**
 * GCRA (generic cell rate algorithm): each unit of cost advances a rule's virtual schedule by
 * `period = window / limit`; a request is admitted when the schedule, advanced by its cost,
 * runs at most `burst × period` ahead of now. O(1) state, exact retry-after (integer
 * arithmetic while burst × window in µs < 2^52). Mirrors `lua/gcra-n.lua`.
 */
export const gcra = perRuleModel<GcraState[number]>('gcra', (state, now, rules) => {
  const q: number[] = [];
  const r: number[] = [];
  const excess: number[] = [];
  return {
    fits(j, cost) {
      const { limit, windowMs, burst } = rules[j]!;
      const stored = state?.[j];
      // A TAT in the past means an idle rule: it starts again from now.
      const idle = stored === undefined || stored.q < now;
      q[j] = idle ? now : stored.q;
      r[j] = idle ? 0 : stored.r;
      // (admission time - now) × limit: > 0 means too early.
      excess[j] = (q[j]! - now) * limit + r[j]! + (cost - burst) * windowMs * 1000;
      return excess[j]! <= 0;
    },
    settle(j, ok, cost) {
      const { limit: L, windowMs, burst } = rules[j]!;
      const W = windowMs * 1000;
      let tq = q[j]!;
      let tr = r[j]!;
      let retry = 0;
      if (ok) {
        const total = tr + cost * W;
        const whole = Math.floor(total / L);
        tq = tq + whole;
        tr = total - whole * L;
      } else if (excess[j]! > 0) {
        retry = Math.ceil(excess[j]! / (1000 * L));
      }
      const ahead = (tq - now) * L + tr; // (TAT - now) × limit
      const reset = Math.ceil(ahead / (1000 * L));
      return {
        numbers: {
          remaining: Math.max(0, Math.floor((burst * W - ahead) / W)),
          resetMs: reset,
          retryAfterMs: retry,
        },
        saved: { q: tq, r: tr },
        ttlMs: reset,
      };
    },
  };
});
