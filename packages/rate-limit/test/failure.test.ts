import { useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FailurePolicy,
  RateLimiter,
  type RateLimiterOptions,
  RateLimitTimeoutError,
  RateLimitUnavailableError,
} from '../src/index.js';
import { sleep } from './support/trace.js';

const fault = useFaultRedis();
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
});

function setup(onRedisFailure: FailurePolicy, extra: Partial<RateLimiterOptions> = {}) {
  // Reconnect quickly, and fail a command after one retry instead of queueing it for long.
  const redis = new Redis(fault.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => {}); // connection errors are expected here
  clients.push(redis);
  const errors: Error[] = [];
  const limiter = new RateLimiter({
    redis,
    prefix: `fault${Math.random().toString(36).slice(2, 8)}`,
    name: 'api',
    algorithm: 'gcra',
    limits: { limit: 3, windowMs: 60_000 },
    // Long enough that a busy machine does not time out a healthy Redis; the slow-Redis tests
    // set their own.
    timeoutMs: 1_000,
    retryRedisAfterMs: 150,
    onRedisFailure,
    onError: (e) => errors.push(e),
    ...extra,
  });
  return { redis, limiter, errors };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** Runs `fn` with Redis killed, then restarts it (whatever `fn` does). */
async function whileKilled(redis: Redis, fn: () => Promise<void>) {
  await fault.kill();
  await until(() => redis.status !== 'ready');
  try {
    await fn();
  } finally {
    await fault.restart();
    await until(() => redis.status === 'ready');
  }
}

describe('when Redis is down', () => {
  it('fail-open allows every request, uncounted, and hands back to Redis once it returns', async () => {
    const { redis, limiter, errors } = setup('fail-open');
    await until(async () => (await limiter.check('u')).source === 'redis');
    await whileKilled(redis, async () => {
      for (let i = 0; i < 5; i++)
        expect(await limiter.check('u')).toMatchObject({ allowed: true, source: 'fail-open' });
    });
    await until(async () => (await limiter.check('u')).source === 'redis');
    expect(errors.length).toBeGreaterThan(0);
  });

  it('fail-closed denies every request with a retry-after of retryRedisAfterMs', async () => {
    const { redis, limiter } = setup('fail-closed');
    await whileKilled(redis, async () => {
      const result = await limiter.check('u');
      expect(result).toMatchObject({ allowed: false, source: 'fail-closed', retryAfterMs: 150 });
    });
    await until(async () => (await limiter.check('u')).source === 'redis');
  });

  it('insurance enforces the limit in memory (scaled by insuranceShare, bounded by insuranceMaxKeys), then hands back to Redis', async () => {
    const { redis, limiter } = setup('insurance', {
      limits: { limit: 4, windowMs: 60_000 },
      insuranceShare: 0.5,
      insuranceMaxKeys: 2,
    });
    // Redis has counted 1 of 4; the insurance limiter starts afresh with 2 (half of 4).
    expect(await limiter.check('u')).toMatchObject({ allowed: true, remaining: 3, source: 'redis' });
    await whileKilled(redis, async () => {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.check('u'));
      expect(results.map((r) => [r.allowed, r.source, r.limit])).toEqual([
        [true, 'insurance', 2],
        [true, 'insurance', 2],
        [false, 'insurance', 2],
        [false, 'insurance', 2],
      ]);
      expect(results[2]!.retryAfterMs).toBeGreaterThan(0);
      // Subjects are separate in memory too.
      expect((await limiter.check('other')).allowed).toBe(true);
      // Bounded: 'other' and 'third' (insuranceMaxKeys 2) pushed 'u' out, so it starts afresh.
      expect((await limiter.check('third')).allowed).toBe(true);
      expect(await limiter.check('u')).toMatchObject({ allowed: true, remaining: 1, source: 'insurance' });
    });
    await until(async () => (await limiter.peek('u')).source === 'redis');
    // Back on Redis (restarted empty: not persistent), whose count is the only one: the
    // insurance limiter's is dropped, not carried over.
    expect(await limiter.check('u')).toMatchObject({ allowed: true, remaining: 3, source: 'redis' });
    expect(await limiter.check('u')).toMatchObject({ allowed: true, remaining: 2, source: 'redis' });
  });

  it('throw rejects with RateLimitUnavailableError', async () => {
    const { redis, limiter } = setup('throw');
    await whileKilled(redis, async () => {
      const error = await limiter.check('u').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitUnavailableError);
      expect((error as RateLimitUnavailableError).code).toBe('E_RATE_LIMIT_UNAVAILABLE');
    });
  });

  it('keeps answering denied subjects from the block list while Redis is down', async () => {
    const { redis, limiter } = setup('fail-open', { limits: { limit: 1, windowMs: 60_000 } });
    await limiter.check('heavy');
    expect((await limiter.check('heavy')).source).toBe('redis');
    await whileKilled(redis, async () => {
      expect(await limiter.check('heavy')).toMatchObject({ allowed: false, source: 'blocked' });
      expect(await limiter.check('light')).toMatchObject({ allowed: true, source: 'fail-open' });
    });
  });
});

describe('when Redis is slow', () => {
  it('times a check out after timeoutMs, then skips Redis until a probe finds it answering again', async () => {
    const { limiter, errors } = setup('fail-closed', { timeoutMs: 100 });
    await until(async () => (await limiter.check('u')).source === 'redis');
    errors.length = 0;
    fault.pause();
    try {
      const started = Date.now();
      expect(await limiter.check('u')).toMatchObject({ allowed: false, source: 'fail-closed' });
      // Generous bound: the check waited for the 100 ms timeout, not for Redis (paused for good).
      expect(Date.now() - started).toBeLessThan(2000);
      expect(errors[0]).toBeInstanceOf(RateLimitTimeoutError);
      // Until retryRedisAfterMs passes, checks do not wait on Redis at all.
      const skipped = await limiter.check('u');
      expect(skipped.source).toBe('fail-closed');
      expect(errors).toHaveLength(1);
    } finally {
      fault.resume();
    }
    await until(async () => (await limiter.check('u')).source === 'redis');
  });

  it('does not take a prompt Redis for a slow one when this process stalled (GC pause, busy handler)', async () => {
    const { limiter, errors } = setup('fail-closed', { timeoutMs: 50 });
    await until(async () => (await limiter.check('u')).source === 'redis');
    errors.length = 0;
    const pending = limiter.check('u');
    // Runs right after the batcher has sent the check: the reply arrives while the loop is blocked.
    process.nextTick(() => {
      const until = performance.now() + 300;
      while (performance.now() < until) {}
    });
    expect((await pending).source).toBe('redis');
    expect(errors).toEqual([]);
  });

  it('throw rejects a slow check with RateLimitTimeoutError', async () => {
    const { limiter } = setup('throw', { timeoutMs: 100 });
    // A first answer from Redis (retried: on a busy machine 100 ms can pass before it connects).
    await until(() =>
      limiter.check('u').then(
        (r) => r.source === 'redis',
        () => false,
      ),
    );
    fault.pause();
    try {
      const error = await limiter.check('u').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitTimeoutError);
      expect((error as RateLimitTimeoutError).context).toEqual({ limiter: 'api', timeoutMs: 100 });
    } finally {
      fault.resume();
    }
  });
});
