import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/index.js';
import { ALL } from './support/arbitraries.js';

const ctx = useRedis();

describe.each(ALL)('%s under concurrency', (algorithm) => {
  it.each([1, 64])(
    'many clients on one key never admit more than the limit, counted under every rule or none (maxBatch %i)',
    async (maxBatch) => {
      // Six "processes": each its own connection and limiter, each firing 60 checks at once.
      const limiters = Array.from(
        { length: 6 },
        () =>
          new RateLimiter({
            redis: ctx.client(),
            prefix: ctx.prefix,
            name: 'hot',
            algorithm,
            // Long windows: nothing refills while the test runs, so the counts must be exact.
            limits: [
              { limit: 50, windowMs: 3_600_000, name: 'hour' },
              { limit: 80, windowMs: 7_200_000, name: 'two-hours' },
            ],
            maxBatch,
            // Every decision must come from Redis: no failure policy may step in on a busy machine.
            onRedisFailure: 'throw',
            timeoutMs: 10_000,
          }),
      );
      const results = await Promise.all(
        limiters.flatMap((limiter) => Array.from({ length: 60 }, () => limiter.check('one-key'))),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(50);
      expect(results.every((r) => r.allowed || r.retryAfterMs > 0)).toBe(true);
      expect(results.every((r) => r.source === 'redis' || r.source === 'blocked')).toBe(true);
      // What Redis holds agrees: nothing left under the first rule, and the 310 denied checks
      // counted nothing under the second.
      expect((await limiters[0]!.peek('one-key')).rules.map((r) => r.remaining)).toEqual([0, 30]);
    },
  );
});
