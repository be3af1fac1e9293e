import { useRedis } from '@covina/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { models } from '../src/algorithms/index.js';
import { maxCost } from '../src/rules.js';
import { ALL, batchesArb, rulesArb } from './support/arbitraries.js';
import { replay, runSchedule } from './support/trace.js';

const ctx = useRedis();

describe.each(ALL)('%s script', (algorithm) => {
  it('decides exactly as the reference model on random schedules of batched checks (same server times)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        rulesArb(algorithm).chain((rules) =>
          fc.tuple(fc.constant(rules), batchesArb(maxCost(rules, algorithm), 3)),
        ),
        async ([rules, schedule]) => {
          const keys = [0, 1, 2].map((k) => ctx.key(algorithm, 'model', run, k));
          run++;
          const before = await ctx.redis.time();
          const trace = await runSchedule(ctx.redis, algorithm, keys, rules, schedule);
          const after = await ctx.redis.time();
          expect(replay(models[algorithm], rules, trace)).toEqual(trace);
          // Decided on the server's clock: every check's time lies between two TIME calls.
          const us = (t: ReadonlyArray<string | number>) => Number(t[0]) * 1e6 + Number(t[1]);
          for (const check of trace) {
            expect(check.now).toBeGreaterThanOrEqual(us(before));
            expect(check.now).toBeLessThanOrEqual(us(after));
          }
        },
      ),
      { numRuns: 15, endOnFailure: true },
    );
  });
});
