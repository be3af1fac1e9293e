import { createKeyRegistry } from '@covina/cache-keys';
import { scanKeys, useCluster } from '@covina/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createCheckRateLimit, RateLimiter } from '../src/index.js';
import { ALL } from './support/arbitraries.js';

const ctx = useCluster({ masters: 3 });
const strict = { onRedisFailure: 'throw', timeoutMs: 10_000 } as const;

/** How many of this test's keys each master holds (SCAN on each). */
async function keysPerMaster(prefix: string): Promise<number[]> {
  const masters = ctx.nodes.filter((n) => n.role === 'master');
  return Promise.all(
    masters.map(async (node) => {
      const redis = new Redis(node.url);
      try {
        return (await scanKeys(redis, `${prefix}:*`)).length;
      } finally {
        redis.disconnect();
      }
    }),
  );
}

describe('on a 3-master Redis Cluster', () => {
  it.each(ALL)(
    '%s: concurrent checks of many subjects, batched per slot, admit exactly the limit each',
    async (algorithm) => {
      const limiter = new RateLimiter({
        redis: ctx.client(),
        prefix: ctx.prefix,
        name: 'api',
        algorithm,
        limits: [
          { limit: 3, windowMs: 3_600_000, name: 'short' },
          { limit: 5, windowMs: 7_200_000, name: 'long' },
        ],
        ...strict,
      });
      const subjects = Array.from({ length: 60 }, (_, i) => `user-${i}`);
      // Every subject 5 times, all in the same tick: the batcher must split by slot.
      const results = await Promise.all(
        subjects.flatMap((s) => Array.from({ length: 5 }, () => limiter.check(s))),
      );
      for (let i = 0; i < subjects.length; i++) {
        const mine = results.slice(i * 5, i * 5 + 5);
        expect(mine.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
        expect(mine[3]!.rules.map((r) => r.remaining)).toEqual([0, 2]);
      }
      // One key per subject, spread over every master.
      const perMaster = await keysPerMaster(ctx.prefix);
      expect(perMaster.reduce((a, b) => a + b, 0)).toBe(subjects.length);
      expect(perMaster.every((n) => n > 0)).toBe(true);
    },
  );

  it("keeps a subject's limiters (groups) on one slot, and different subjects spread", async () => {
    const redis = ctx.client();
    const [api, login] = ['api', 'login'].map(
      (name) =>
        new RateLimiter({
          redis,
          prefix: ctx.prefix,
          name,
          limits: { limit: 5, windowMs: 60_000 },
          ...strict,
        }),
    ) as [RateLimiter, RateLimiter];
    const slot = (key: string) => redis.cluster('KEYSLOT', key) as Promise<number>;
    const subjects = Array.from({ length: 20 }, (_, i) => `2001:db8::${i}`);
    const slots = await Promise.all(subjects.map((s) => slot(api.key(s))));
    for (const [i, subject] of subjects.entries()) expect(await slot(login.key(subject))).toBe(slots[i]);
    expect(new Set(slots).size).toBeGreaterThan(10);
  });

  it('recovers after SCRIPT FLUSH on every master', async () => {
    const limiter = new RateLimiter({
      redis: ctx.client(),
      prefix: ctx.prefix,
      name: 'flush',
      algorithm: 'gcra',
      limits: { limit: 2, windowMs: 60_000 },
      ...strict,
    });
    const subjects = Array.from({ length: 12 }, (_, i) => `s${i}`);
    await Promise.all(subjects.map((s) => limiter.check(s)));
    for (const node of ctx.nodes.filter((n) => n.role === 'master')) {
      const redis = new Redis(node.url);
      await redis.script('FLUSH');
      redis.disconnect();
    }
    const again = await Promise.all(subjects.map((s) => limiter.check(s)));
    expect(again.map((r) => [r.allowed, r.remaining])).toEqual(subjects.map(() => [true, 0]));
  });

  it('checkRateLimit works on the standard openaiRate keys', async () => {
    const keys = createKeyRegistry({ prefix: ctx.prefix });
    const checkRateLimit = createCheckRateLimit({ redis: ctx.client(), keys, ...strict });
    const names = ['embed', 'chat', 'ocr', 'summarize'];
    const answers = await Promise.all(
      names.flatMap((function_name) =>
        Array.from({ length: 3 }, () => checkRateLimit(keys.format('openaiRate', { function_name }), 2, 60)),
      ),
    );
    expect(answers).toEqual(names.flatMap(() => [true, true, false]));
  });
});
