import fc from 'fast-check';
import type { Algorithm, NormalizedRule } from '../../src/types.js';

/** 1 or 2 rules with small windows, so a short schedule crosses several windows. */
export function rulesArb(algorithm: Algorithm): fc.Arbitrary<NormalizedRule[]> {
  const bursty = algorithm === 'token-bucket' || algorithm === 'gcra';
  const rule = fc
    .record({
      limit: fc.integer({ min: 1, max: 6 }),
      windowMs: fc.integer({ min: 40, max: 300 }),
      extra: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ limit, windowMs, extra }) => ({ limit, windowMs, burst: bursty ? limit + extra : limit }));
  return fc
    .array(rule, { minLength: 1, maxLength: 2 })
    .map((list) => list.map((r, j) => ({ ...r, name: `r${j}` })));
}

/** A check's cost: mostly 1, often the edges (0 reads, `maxCost` fills a whole quota). */
export function costArb(maxCost: number) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.constantFrom(0, maxCost) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: maxCost }) },
  );
}

/**
 * A schedule of script calls, each a batch of checks on a few keys (by index, repeats
 * included) decided at one server time; mostly back to back, sometimes after a pause.
 */
export function batchesArb(maxCost: number, keys: number) {
  return fc.array(
    fc.record({
      delayMs: fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 2, arbitrary: fc.integer({ min: 1, max: 50 }) },
      ),
      checks: fc.array(fc.record({ key: fc.nat(keys - 1), cost: costArb(maxCost) }), {
        minLength: 1,
        maxLength: 6,
      }),
    }),
    { minLength: 3, maxLength: 10 },
  );
}

export const ALL: readonly Algorithm[] = [
  'fixed-window',
  'sliding-window',
  'sliding-log',
  'token-bucket',
  'gcra',
];
