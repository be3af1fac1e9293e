import { createKeyRegistry } from '@covina/cache-keys';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import {
  type Algorithm,
  RateLimitConfigError,
  RateLimitExceededError,
  RateLimiter,
  RateLimitScriptError,
} from '../src/index.js';
import { ALL } from './support/arbitraries.js';
import { sleep } from './support/trace.js';

const ctx = useRedis();
/** Decisions must come from Redis: on a busy machine a fail-open after 150 ms would hide bugs. */
const strict = { onRedisFailure: 'throw', timeoutMs: 10_000 } as const;

function limiter(
  algorithm: Algorithm,
  limits: ConstructorParameters<typeof RateLimiter>[0]['limits'],
  extra = {},
) {
  return new RateLimiter({
    redis: ctx.redis,
    prefix: ctx.prefix,
    name: 'api',
    algorithm,
    limits,
    ...strict,
    ...extra,
  });
}

describe.each(ALL)('RateLimiter (%s)', (algorithm) => {
  it('admits up to the limit, then denies with a retry-after, then admits again once it has passed', async () => {
    const rl = limiter(algorithm, { limit: 3, windowMs: 300 });
    // Started in one tick: one script call, one server time, so nothing refills in between.
    const results = await Promise.all(Array.from({ length: 4 }, () => rl.check('user-1')));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    const denied = results[3]!;
    expect(denied).toMatchObject({ limit: 3, source: 'redis' });
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(600);
    // Another subject has its own counters.
    expect((await rl.check('user-2')).allowed).toBe(true);
    await sleep(denied.retryAfterMs + 5);
    expect((await rl.check('user-1')).allowed).toBe(true);
  });

  it('combines rules all-or-nothing: a denial by one rule consumes nothing under the others', async () => {
    const rl = limiter(algorithm, [
      { limit: 2, windowMs: 60_000, name: 'short' },
      { limit: 5, windowMs: 120_000, name: 'long' },
    ]);
    expect((await rl.check('s')).allowed).toBe(true);
    expect((await rl.check('s')).allowed).toBe(true);
    for (let i = 0; i < 3; i++) {
      const denied = await rl.check('s');
      expect(denied.allowed).toBe(false);
      expect(denied.rules.map((r) => [r.name, r.allowed])).toEqual([
        ['short', false],
        ['long', true],
      ]);
      // The long rule still has 3 left: the denied checks were not counted under it.
      expect(denied.rules[1]!.remaining).toBe(3);
      expect(denied.limit).toBe(2);
    }
  });

  it('weighs requests by cost, and a cost of 0 reads without counting', async () => {
    const rl = limiter(algorithm, { limit: 10, windowMs: 60_000 });
    expect(await rl.check('w', { cost: 7 })).toMatchObject({ allowed: true, remaining: 3 });
    expect(await rl.check('w', { cost: 4 })).toMatchObject({ allowed: false, remaining: 3 });
    expect(await rl.peek('w')).toMatchObject({ allowed: true, remaining: 3 });
    expect(await rl.check('w', { cost: 3 })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('recovers transparently when the server forgets its scripts (SCRIPT FLUSH)', async () => {
    const rl = limiter(algorithm, { limit: 3, windowMs: 60_000 });
    expect((await rl.check('f')).remaining).toBe(2);
    await ctx.redis.script('FLUSH');
    expect(await rl.check('f')).toMatchObject({ allowed: true, remaining: 1, source: 'redis' });
  });

  it('reset() forgets a subject, in Redis and in the block list', async () => {
    const rl = limiter(algorithm, { limit: 1, windowMs: 60_000 });
    expect((await rl.check('r')).allowed).toBe(true);
    expect((await rl.check('r')).source).toBe('redis');
    expect((await rl.check('r')).source).toBe('blocked');
    await rl.reset('r');
    expect(await ctx.redis.exists(rl.key('r'))).toBe(0);
    expect(await rl.check('r')).toMatchObject({ allowed: true, source: 'redis' });
  });
});

describe('RateLimiter', () => {
  it('keeps every rule of a subject in one key of the rateLimit template, its subject a hash tag', async () => {
    const rl = limiter('gcra', { limit: 5, windowMs: 1000 });
    await rl.check('2001:db8::1');
    const key = rl.key('2001:db8::1');
    expect(key).toBe(`${ctx.prefix}:rate:api:{2001%3Adb8%3A%3A1}:gcra`);
    expect(createKeyRegistry({ prefix: ctx.prefix }).parse(key)).toEqual({
      name: 'rateLimit',
      params: { limiter: 'api', subject: '2001%3Adb8%3A%3A1', algorithm: 'gcra' },
    });
    expect(await ctx.redis.exists(key)).toBe(1);
    const ttl = await ctx.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
  });

  it("keeps each subject and each group (limiter name) apart, a subject's groups under one hash tag", async () => {
    const api = limiter('gcra', { limit: 1, windowMs: 60_000 });
    const login = limiter('gcra', { limit: 1, windowMs: 60_000 }, { name: 'login' });
    expect((await api.check('alice')).allowed).toBe(true);
    expect((await api.check('alice')).allowed).toBe(false);
    // Another group, same subject: its own counter.
    expect((await login.check('alice')).allowed).toBe(true);
    // Another subject, same group: its own counter.
    expect((await api.check('bob')).allowed).toBe(true);
    expect(login.key('alice')).toBe(`${ctx.prefix}:rate:login:{alice}:gcra`);
    expect(await ctx.redis.exists(api.key('alice'), login.key('alice'), api.key('bob'))).toBe(3);
  });

  it('bounds the block list: past blockListMaxKeys the oldest denial is forgotten, and 0 turns it off', async () => {
    const rl = limiter('gcra', { limit: 1, windowMs: 60_000 }, { blockListMaxKeys: 2 });
    for (const subject of ['a', 'b', 'c']) {
      await rl.check(subject);
      expect((await rl.check(subject)).source).toBe('redis');
    }
    // 'c' pushed 'a' out: Redis is asked again (and 'a' now pushes 'b' out).
    expect(await rl.check('a')).toMatchObject({ allowed: false, source: 'redis' });
    expect((await rl.check('c')).source).toBe('blocked');
    expect((await rl.check('a')).source).toBe('blocked');
    expect((await rl.check('b')).source).toBe('redis');

    const off = limiter('gcra', { limit: 1, windowMs: 60_000 }, { name: 'off', blockListMaxKeys: 0 });
    await off.check('d');
    for (let i = 0; i < 3; i++)
      expect(await off.check('d')).toMatchObject({ allowed: false, source: 'redis' });
  });

  it.each(['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as const)(
    "%s starts afresh when the limiter's rules change (state written for other rules is not misread)",
    async (algorithm) => {
      const before = limiter(algorithm, [
        { limit: 2, windowMs: 60_000, name: 'a' },
        { limit: 5, windowMs: 120_000, name: 'b' },
      ]);
      await before.check('s', { cost: 2 });
      expect((await before.check('s')).allowed).toBe(false);
      const after = limiter(algorithm, { limit: 2, windowMs: 60_000 }, { blockListMaxKeys: 0 });
      expect(after.key('s')).toBe(before.key('s'));
      expect(await after.check('s')).toMatchObject({ allowed: true, remaining: 1 });
    },
  );

  it('answers over-limit subjects from the block list, without a Redis call, until their retry time', async () => {
    const rl = limiter('fixed-window', { limit: 1, windowMs: 400 });
    await rl.check('b');
    const denied = await rl.check('b');
    expect(denied.source).toBe('redis');
    const before = await scriptCalls();
    const blocked = await rl.check('b');
    expect(blocked).toMatchObject({ allowed: false, source: 'blocked' });
    expect(blocked.retryAfterMs).toBeLessThanOrEqual(denied.retryAfterMs);
    expect(await scriptCalls()).toBe(before);
    await sleep(denied.retryAfterMs + 5);
    expect(await rl.check('b')).toMatchObject({ allowed: true, source: 'redis' });
  });

  it('consume() rejects a denial with RateLimitExceededError naming the rule and the wait', async () => {
    const rl = limiter('gcra', { limit: 1, windowMs: 10_000, name: 'per-10s' });
    await rl.consume('c');
    const error = await rl.consume('c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect((error as RateLimitExceededError).code).toBe('E_RATE_LIMITED');
    expect((error as RateLimitExceededError).context).toMatchObject({
      limiter: 'api',
      rule: 'per-10s',
      limit: 1,
    });
    expect((error as RateLimitExceededError).context.retryAfterMs).toBeGreaterThan(9000);
  });

  it('acquire() waits out each denial, gives up past maxWaitMs, and stops when aborted', async () => {
    const rl = limiter('gcra', { limit: 2, windowMs: 300 }); // one unit back every 150 ms
    const started = performance.now();
    for (let i = 0; i < 4; i++) expect((await rl.acquire('a')).allowed).toBe(true);
    // Two units were free; the other two each waited for one to come back.
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);

    const hurried = await rl.acquire('a', { maxWaitMs: 10 }).catch((e: unknown) => e);
    expect(hurried).toBeInstanceOf(RateLimitExceededError);

    const controller = new AbortController();
    const waiting = rl.acquire('a', { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('shutting down'));
    expect(((await waiting) as Error).message).toBe('shutting down');
  });

  it('batches checks made in the same tick into one script call, each answered as if alone', async () => {
    const rl = limiter('gcra', { limit: 5, windowMs: 60_000 });
    const before = await scriptCalls();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => rl.check(`user-${i % 4}`)));
    expect(await scriptCalls()).toBe(before + 1);
    for (let u = 0; u < 4; u++) {
      const mine = results.filter((_, i) => i % 4 === u);
      expect(mine.filter((r) => r.allowed)).toHaveLength(5);
      expect(mine.slice(0, 5).map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
    }
  });

  it('reports a Redis error that is not an outage (WRONGTYPE) as RateLimitScriptError, even when failing open', async () => {
    const rl = limiter('gcra', { limit: 5, windowMs: 1000 }, { onRedisFailure: 'fail-open' });
    await ctx.redis.hset(rl.key('x'), 'not', 'a string');
    const error = await rl.check('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitScriptError);
    expect((error as RateLimitScriptError).cause).toBeInstanceOf(Error);
  });

  it('rejects bad options and arguments with RateLimitConfigError naming the field', async () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(RateLimitConfigError);
        return (error as RateLimitConfigError).context.field;
      }
      throw new Error('did not throw');
    };
    const ok = { redis: ctx.redis, name: 'n', limits: { limit: 1, windowMs: 1000 } };
    expect(field(() => new RateLimiter({ ...ok, name: 'a:b' }))).toBe('name');
    expect(field(() => new RateLimiter({ ...ok, limits: [] }))).toBe('limits');
    expect(field(() => new RateLimiter({ ...ok, limits: { limit: 0, windowMs: 1 } }))).toBe('limits.limit');
    expect(
      field(
        () =>
          new RateLimiter({
            ...ok,
            limits: [
              { limit: 1, windowMs: 1000 },
              { limit: 2, windowMs: 1.5 },
            ],
          }),
      ),
    ).toBe('limits[1].windowMs');
    expect(field(() => new RateLimiter({ ...ok, limits: { limit: 1, windowMs: 1000, burst: 2 } }))).toBe(
      'limits.burst',
    );
    expect(field(() => new RateLimiter({ ...ok, algorithm: 'leaky' as Algorithm }))).toBe('algorithm');
    expect(field(() => new RateLimiter({ ...ok, timeoutMs: 0 }))).toBe('timeoutMs');
    expect(field(() => new RateLimiter({ ...ok, onRedisFailure: 'maybe' as 'throw' }))).toBe(
      'onRedisFailure',
    );

    const rl = new RateLimiter({
      ...ok,
      ...strict,
      prefix: ctx.prefix,
      limits: { limit: 3, windowMs: 1000 },
    });
    await expect(rl.check('a', { cost: 4 })).rejects.toMatchObject({ context: { field: 'cost' } });
    await expect(rl.check('a', { cost: 1.5 })).rejects.toMatchObject({ context: { field: 'cost' } });
    await expect(rl.check('')).rejects.toMatchObject({ context: { field: 'subject' } });
  });
});

/** How many scripts this worker's Redis has run (INFO commandstats: EVALSHA + EVAL calls). */
async function scriptCalls(): Promise<number> {
  const info = await ctx.redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)) calls += Number(match[2]);
  return calls;
}
