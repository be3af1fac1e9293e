import { useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Cache, createKeyRegistry } from '../src/index.js';

const f = useFaultRedis();
const keys = createKeyRegistry({ prefix: 'fault' }).register('thumb', 'cache:thumb:{document_uuid}');
const clients: Redis[] = [];
const caches: Array<Cache<never>> = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  for (const c of clients.splice(0)) c.disconnect();
});

function setup() {
  // Reconnect quickly, like a production client with a short backoff.
  const redis = new Redis(f.url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  clients.push(redis);
  const cache = new Cache({ redis, keys, commandTimeoutMs: 250, breaker: { resetMs: 300 } });
  caches.push(cache as never);
  return { redis, cache };
}

/** Resolves with the value and how long it took. */
async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

// Bounds below are "did not hang" guards (seconds), not speed goals.
const NO_HANG_MS = 2_000;

describe('Redis down', () => {
  it('a get in flight when the server is killed misses quickly; loaders run; writes are dropped; it recovers', async () => {
    const { redis, cache } = setup();
    await redis.ping();
    await cache.set('thumb', { document_uuid: 'd' }, 'v');
    expect(await cache.get('thumb', { document_uuid: 'd' })).toBe('v');

    f.pause(); // the next GET is sent but not answered…
    const inFlight = timed(cache.get('thumb', { document_uuid: 'd' }));
    await new Promise((r) => setTimeout(r, 50));
    await f.kill(); // …and the server dies under it
    const { value, ms } = await inFlight;
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(NO_HANG_MS);

    // While down: reads miss at once, loaders still run, writes are dropped and counted.
    const loaded = await timed(cache.getOrSet('thumb', { document_uuid: 'e' }, async () => 'from loader'));
    expect(loaded.value).toBe('from loader');
    expect(loaded.ms).toBeLessThan(NO_HANG_MS);
    expect(await cache.set('thumb', { document_uuid: 'f' }, 1)).toBe(false);
    expect(cache.available).toBe(false);
    const stats = cache.metrics.snapshot().byType.thumb!;
    expect(stats.droppedWrites).toBeGreaterThanOrEqual(2);
    expect(stats.errors).toBeGreaterThanOrEqual(1);
    await expect(cache.delete('thumb', { document_uuid: 'd' })).rejects.toMatchObject({
      code: 'E_CACHE_UNAVAILABLE',
    });

    await f.restart();
    await expect.poll(() => cache.available, { timeout: 10_000, interval: 50 }).toBe(true);
    expect(await cache.set('thumb', { document_uuid: 'g' }, 'back')).toBe(true);
    expect(await cache.get('thumb', { document_uuid: 'g' })).toBe('back');
  });

  it('a paused server (socket open, no answers): reads miss after the timeout, then the breaker skips Redis', async () => {
    const { redis, cache } = setup();
    await redis.ping();
    await cache.set('thumb', { document_uuid: 'p' }, 'v');
    f.pause();
    try {
      for (let i = 0; i < 3; i++) {
        const { value, ms } = await timed(cache.get('thumb', { document_uuid: 'p' }));
        expect(value).toBeUndefined();
        expect(ms).toBeLessThan(NO_HANG_MS);
      }
      expect(cache.available).toBe(false); // breaker open: no more waiting on Redis
      const errorsBefore = cache.metrics.snapshot().total.errors;
      expect(await cache.get('thumb', { document_uuid: 'p' })).toBeUndefined();
      expect(cache.metrics.snapshot().total.errors).toBe(errorsBefore + 1);
    } finally {
      f.resume();
    }
    await expect.poll(() => cache.get('thumb', { document_uuid: 'p' }), { timeout: 5_000 }).toBe('v');
  });

  it('after a restart the pub/sub bus is back: writes still evict other instances’ memory tiers', async () => {
    const a = setup();
    const b = setup();
    const cacheA = new Cache({ redis: a.redis, keys, memory: {}, commandTimeoutMs: 1_000 });
    const cacheB = new Cache({ redis: b.redis, keys, memory: {}, commandTimeoutMs: 1_000 });
    caches.push(cacheA as never, cacheB as never);
    await cacheA.set('thumb', { document_uuid: 'bus' }, 'v1');
    expect(await cacheB.get('thumb', { document_uuid: 'bus' })).toBe('v1'); // now in B's memory
    await new Promise((r) => setTimeout(r, 100)); // B's subscription is up

    await f.kill();
    await f.restart();
    await expect.poll(() => cacheA.available && cacheB.available, { timeout: 10_000 }).toBe(true);
    // B still answers from memory; only a message from A over the resubscribed bus can evict it.
    expect(await cacheB.get('thumb', { document_uuid: 'bus' })).toBe('v1');
    await expect
      .poll(
        async () => {
          await cacheA.set('thumb', { document_uuid: 'bus' }, 'v2');
          return cacheB.get('thumb', { document_uuid: 'bus' });
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe('v2');
  });

  it('a stale value is served when Redis fails and the memory tier still holds it', async () => {
    const { redis } = setup();
    const cache = new Cache({
      redis,
      keys,
      defaultTtlMs: 30,
      graceMs: 60_000,
      memory: {},
      commandTimeoutMs: 250,
    });
    caches.push(cache as never);
    await redis.ping();
    await cache.set('thumb', { document_uuid: 's' }, 'old');
    await new Promise((r) => setTimeout(r, 50));
    f.pause();
    try {
      const value = await cache.getOrSet('thumb', { document_uuid: 's' }, async () => {
        throw new Error('backend down too');
      });
      expect(value).toBe('old');
    } finally {
      f.resume();
    }
  });
});
