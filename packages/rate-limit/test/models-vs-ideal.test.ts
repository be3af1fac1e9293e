import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedWindow, gcra, slidingLog, slidingWindow, tokenBucket } from '../src/algorithms/index.js';
import type { AlgorithmModel } from '../src/algorithms/model.js';
import type { NormalizedRule } from '../src/types.js';
import { type History, idealBucketAdmits, idealLogAdmits, unitsInWindow } from './support/ideal.js';

// Pure models on synthetic server times: thousands of schedules in milliseconds.
const T0 = 1_760_000_000_000_000; // a realistic epoch in µs, so magnitudes match production

const rulesArb = (bursty: boolean) =>
  fc
    .array(
      fc.record({
        limit: fc.integer({ min: 1, max: 7 }),
        windowMs: fc.integer({ min: 1, max: 2000 }),
        extra: fc.nat(4),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((list) =>
      list.map(
        ({ limit, windowMs, extra }, j): NormalizedRule => ({
          name: `r${j}`,
          limit,
          windowMs,
          burst: bursty ? limit + extra : limit,
        }),
      ),
    );

/** Non-decreasing µs times (often equal, sometimes a whole window apart) with costs. */
const scheduleArb = fc.array(
  fc.record({
    gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 2_500_000 })),
    cost: fc.oneof(
      { weight: 4, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) },
    ),
  }),
  { minLength: 1, maxLength: 60 },
);

interface Decision {
  at: number;
  cost: number;
  allowed: boolean;
  retryAfterMs: number;
  /** The state the check was decided on. */
  before: unknown;
}

const WINDOW_MODELS = [
  ['fixed window', fixedWindow],
  ['sliding window', slidingWindow],
] as const;

function run(
  model: AlgorithmModel<unknown>,
  rules: readonly NormalizedRule[],
  schedule: typeof scheduleArb extends fc.Arbitrary<infer S> ? S : never,
) {
  const maxCost = Math.min(...rules.map((r) => r.burst));
  let state: unknown;
  let now = T0;
  const history: History = [];
  const decisions: Decision[] = [];
  for (const step of schedule) {
    now += step.gap;
    const cost = Math.min(step.cost, maxCost);
    const before = state;
    const outcome = model.check(before, now, rules, cost);
    state = outcome.state;
    const retryAfterMs = Math.max(...outcome.rules.map((r) => r.retryAfterMs));
    decisions.push({ at: now, cost, allowed: outcome.allowed, retryAfterMs, before });
    if (outcome.allowed && cost > 0) history.push({ at: now, cost });
  }
  return { decisions, history };
}

/** Replays the admissions before each decision through `admits`; each decision and retry-after must agree. */
function expectExact(
  decisions: Decision[],
  admits: (history: History, now: number, cost: number) => boolean,
) {
  const history: History = [];
  for (const d of decisions) {
    expect(d.allowed).toBe(admits(history, d.at, d.cost));
    if (!d.allowed) {
      // Exact retry-after, at millisecond resolution: not a microsecond before (r - 1) ms, yes at r ms.
      expect(d.retryAfterMs).toBeGreaterThan(0);
      expect(admits(history, d.at + d.retryAfterMs * 1000, d.cost)).toBe(true);
      expect(admits(history, d.at + (d.retryAfterMs - 1) * 1000, d.cost)).toBe(false);
    }
    if (d.allowed && d.cost > 0) history.push({ at: d.at, cost: d.cost });
  }
}

describe('models against textbook definitions', () => {
  it('sliding log admits exactly what "at most limit in any trailing window" admits', () => {
    fc.assert(
      fc.property(rulesArb(false), scheduleArb, (rules, schedule) => {
        const { decisions } = run(slidingLog as AlgorithmModel<unknown>, rules, schedule);
        expectExact(decisions, (h, now, cost) => idealLogAdmits(h, now, rules, cost));
      }),
      { numRuns: 1500 },
    );
  });

  it.each([
    ['gcra', gcra],
    ['token bucket', tokenBucket],
  ])('%s admits exactly what a continuous token bucket admits', (_name, model) => {
    fc.assert(
      fc.property(rulesArb(true), scheduleArb, (rules, schedule) => {
        const { decisions } = run(model as AlgorithmModel<unknown>, rules, schedule);
        expectExact(decisions, (h, now, cost) => idealBucketAdmits(h, now, rules, cost));
      }),
      { numRuns: 1500 },
    );
  });

  it('gcra stays exact with limits whose period is not a whole microsecond', () => {
    const rules: NormalizedRule[] = [{ name: 'a', limit: 3, windowMs: 1000, burst: 2 }];
    const schedule = Array.from({ length: 40 }, (_, i) => ({ gap: i % 3 === 0 ? 333_333 : 1, cost: 1 }));
    const { decisions } = run(gcra as AlgorithmModel<unknown>, rules, schedule);
    expectExact(decisions, (h, now, cost) => idealBucketAdmits(h, now, rules, cost));
    expect(decisions.some((d) => !d.allowed)).toBe(true);
  });

  it.each(WINDOW_MODELS)(
    '%s keeps each aligned window within its limit and any trailing window within 2 × limit',
    (_n, model) => {
      fc.assert(
        fc.property(rulesArb(false), scheduleArb, (rules, schedule) => {
          const { history } = run(model as AlgorithmModel<unknown>, rules, schedule);
          for (const rule of rules) {
            const W = rule.windowMs * 1000;
            const perWindow = new Map<number, number>();
            for (const h of history)
              perWindow.set(Math.floor(h.at / W), (perWindow.get(Math.floor(h.at / W)) ?? 0) + h.cost);
            for (const units of perWindow.values()) expect(units).toBeLessThanOrEqual(rule.limit);
            for (const h of history)
              expect(unitsInWindow(history, h.at, W)).toBeLessThanOrEqual(2 * rule.limit);
          }
        }),
        { numRuns: 1500 },
      );
    },
  );

  it.each(WINDOW_MODELS)(
    '%s: a denied request passes at its retry-after, not a millisecond before (the block list relies on it)',
    (_n, model) => {
      fc.assert(
        fc.property(rulesArb(false), scheduleArb, (rules, schedule) => {
          const m = model as AlgorithmModel<unknown>;
          for (const d of run(m, rules, schedule).decisions.filter((d) => !d.allowed)) {
            // A denial changes nothing: asking again later is asking of the same state.
            expect(d.retryAfterMs).toBeGreaterThan(0);
            expect(m.check(d.before, d.at + d.retryAfterMs * 1000, rules, d.cost).allowed).toBe(true);
            expect(m.check(d.before, d.at + (d.retryAfterMs - 1) * 1000, rules, d.cost).allowed).toBe(false);
          }
        }),
        { numRuns: 1500 },
      );
    },
  );

  it('sliding window never denies a request the exact log would admit within its first window', () => {
    // With no previous window, the estimate is the exact count.
    const rules: NormalizedRule[] = [{ name: 'a', limit: 5, windowMs: 1000, burst: 5 }];
    const start = Math.ceil(T0 / 1e6) * 1e6;
    let state: unknown;
    const history: History = [];
    for (let i = 0; i < 12; i++) {
      const now = start + i * 50_000;
      const outcome = slidingWindow.check(state as never, now, rules, 1);
      state = outcome.state;
      expect(outcome.allowed).toBe(idealLogAdmits(history, now, rules, 1));
      if (outcome.allowed) history.push({ at: now, cost: 1 });
    }
    expect(history).toHaveLength(5);
  });
});
