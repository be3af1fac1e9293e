import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cache, InvalidOptionError, KeyParamError, KeyTemplateError } from '../src/index.js';
import { sleep, type TestTemplates, testCache } from './helpers.js';

const ctx = useRedis();
const open: Array<Cache<TestTemplates>> = [];
const make = (options: Parameters<typeof testCache>[1] = {}) => {
  const cache = testCache(ctx, options);
  open.push(cache);
  return cache;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('get / set / delete', () => {
  it('stores JSON values with a TTL under the registered key', async () => {
    const cache = make({ defaultTtlMs: 5_000 });
    expect(await cache.get('thumb', { document_uuid: 'd1' })).toBeUndefined();
    expect(await cache.set('thumb', { document_uuid: 'd1' }, { w: 10, tags: ['a'] })).toBe(true);
    expect(await cache.get('thumb', { document_uuid: 'd1' })).toEqual({ w: 10, tags: ['a'] });
    const key = `${ctx.prefix}:cache:thumb:d1`;
    const pttl = await ctx.redis.pttl(key);
    expect(pttl).toBeGreaterThan(4_000);
    expect(pttl).toBeLessThanOrEqual(5_000);
    expect(await cache.delete('thumb', { document_uuid: 'd1' })).toBe(true);
    expect(await cache.delete('thumb', { document_uuid: 'd1' })).toBe(false);
    expect(await cache.get('thumb', { document_uuid: 'd1' })).toBeUndefined();
  });

  it('keeps a key ttl + grace in Redis and serves it stale only when asked', async () => {
    const cache = make({ defaultTtlMs: 50, graceMs: 5_000 });
    await cache.set('thumb', { document_uuid: 'd' }, 'v1');
    const pttl = await ctx.redis.pttl(`${ctx.prefix}:cache:thumb:d`);
    expect(pttl).toBeGreaterThan(4_500);
    await sleep(80);
    expect(await cache.get('thumb', { document_uuid: 'd' })).toBeUndefined();
    expect(await cache.get('thumb', { document_uuid: 'd' }, { allowStale: true })).toBe('v1');
    expect(cache.metrics.snapshot().byType.thumb).toMatchObject({ hits: 0, misses: 2, staleHits: 1 });
  });

  it('treats a value not written by the cache as a miss and reports it', async () => {
    const errors: string[] = [];
    const cache = make({ onError: (e) => errors.push((e.error as { code?: string }).code ?? '') });
    // Not ours, or a damaged envelope (`1|<expiry ms>|<payload>`), or a payload JSON cannot read.
    const foreign = [
      'not an entry',
      '1||"x"',
      '1|12a|"x"',
      '2|1|"x"',
      '1|123',
      '1|',
      `1|${Date.now() + 60_000}|{`,
    ];
    for (const [i, stored] of foreign.entries()) {
      await ctx.redis.set(`${ctx.prefix}:cache:thumb:x${i}`, stored);
      expect(await cache.get('thumb', { document_uuid: `x${i}` }), stored).toBeUndefined();
    }
    expect(errors).toEqual(foreign.map(() => 'E_CACHE_CORRUPT_ENTRY'));
    // A well-formed entry written by hand is read.
    await ctx.redis.set(`${ctx.prefix}:cache:thumb:ok`, `1|${Date.now() + 60_000}|{"ok":1}`);
    expect(await cache.get('thumb', { document_uuid: 'ok' })).toEqual({ ok: 1 });
  });

  it('uses a pluggable serializer', async () => {
    const cache = make({
      serializer: {
        serialize: (v) => `<${String(v)}>`,
        deserialize: (t: string) => t.slice(1, -1).toUpperCase(),
      },
    });
    await cache.set('thumb', { document_uuid: 'd' }, 'abc');
    expect(await ctx.redis.get(`${ctx.prefix}:cache:thumb:d`)).toMatch(/\|<abc>$/);
    expect(await cache.get('thumb', { document_uuid: 'd' })).toBe('ABC');
  });

  it('checks key parameters at compile time and rejects them at run time (KeyParamError)', async () => {
    const cache = make();
    // @ts-expect-error missing document_uuid
    await expect(cache.get('thumb', {})).rejects.toBeInstanceOf(KeyParamError);
    // @ts-expect-error extra parameter
    await expect(cache.set('thumb', { document_uuid: 'd', page: 1 }, 1)).rejects.toThrow(
      /no parameter "page"/,
    );
    // @ts-expect-error unknown template
    await expect(cache.getOrSet('nope', {}, () => 1)).rejects.toBeInstanceOf(KeyTemplateError);
    await expect(cache.getOrSet('thumb', { document_uuid: 'a:b' }, () => 1)).rejects.toMatchObject({
      code: 'E_KEY_PARAM',
      param: 'document_uuid',
    });
    await expect(cache.getMany('page', [{ document_uuid: 'd', page: 'x y' }])).rejects.toBeInstanceOf(
      KeyParamError,
    );
  });

  it('rejects bad options with a typed error naming the field', () => {
    expect(() => make({ defaultTtlMs: 0 })).toThrow(InvalidOptionError);
    expect(() => make({ graceMs: -1 })).toThrow(/"graceMs"/);
  });
});

/** Calls of one command on this test worker's server so far (INFO commandstats). */
async function commandCalls(command: string): Promise<number> {
  const info = await ctx.redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describe('read coalescing', () => {
  it('single-key reads issued together cost two commands: the first GET at once, the rest as one MGET', async () => {
    const cache = make();
    await cache.setMany(
      'thumb',
      Array.from({ length: 40 }, (_, i) => ({ params: { document_uuid: `c${i}` }, value: i })),
    );
    const [mgetBefore, getBefore] = [await commandCalls('mget'), await commandCalls('get')];
    const values = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => cache.get('thumb', { document_uuid: `c${i}` })),
      cache.getOrSet('thumb', { document_uuid: 'c7' }, async () => -1),
      cache.get('thumb', { document_uuid: 'absent' }),
    ]);
    expect(values).toEqual([...Array.from({ length: 40 }, (_, i) => i), 7, undefined]);
    expect((await commandCalls('mget')) - mgetBefore).toBe(1);
    expect((await commandCalls('get')) - getBefore).toBe(1);
  });
});

describe('getMany / setMany', () => {
  it('reads and writes many keys in chunks, in order, with misses as undefined', async () => {
    const cache = make({ batchSize: 7 });
    const entries = Array.from({ length: 50 }, (_, i) => ({
      params: { document_uuid: `d${i}` },
      value: { i },
    }));
    expect(await cache.setMany('thumb', entries)).toBe(50);
    const params = [...entries.map((e) => e.params), { document_uuid: 'missing' }];
    const values = await cache.getMany<{ i: number }>('thumb', params);
    expect(values.slice(0, 50).map((v) => v?.i)).toEqual(entries.map((_, i) => i));
    expect(values[50]).toBeUndefined();
    expect(cache.metrics.snapshot().byType.thumb).toMatchObject({ hits: 50, misses: 1, sets: 50 });
    expect(await ctx.redis.pttl(`${ctx.prefix}:cache:thumb:d3`)).toBeGreaterThan(0);
  });
});

describe('getOrSet', () => {
  it('calls the loader on a miss, then serves the cached value', async () => {
    const cache = make();
    let calls = 0;
    const load = async () => ({ n: ++calls });
    expect(await cache.getOrSet('thumb', { document_uuid: 'd' }, load)).toEqual({ n: 1 });
    expect(await cache.getOrSet('thumb', { document_uuid: 'd' }, load)).toEqual({ n: 1 });
    expect(calls).toBe(1);
    const stats = cache.metrics.snapshot();
    expect(stats.byType.thumb).toMatchObject({ hits: 1, misses: 1, loads: 1, sets: 1, hitRate: 0.5 });
    expect(stats.total.hits).toBe(1);
  });

  it('does not cache undefined, caches null', async () => {
    const cache = make();
    let calls = 0;
    await cache.getOrSet('thumb', { document_uuid: 'u' }, async () => {
      calls++;
      return undefined;
    });
    await cache.getOrSet('thumb', { document_uuid: 'u' }, async () => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(2);
    expect(await cache.getOrSet('thumb', { document_uuid: 'n' }, async () => null)).toBeNull();
    expect(await cache.getOrSet('thumb', { document_uuid: 'n' }, async () => 'other')).toBeNull();
  });

  it('calls the loader once for concurrent misses in one process', async () => {
    const cache = make();
    let calls = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        cache.getOrSet('thumb', { document_uuid: 'hot' }, async () => {
          calls++;
          await sleep(30);
          return 'v';
        }),
      ),
    );
    expect(results).toEqual(Array(20).fill('v'));
    expect(calls).toBe(1);
  });

  it('calls the loader once for concurrent misses from two caches (two connections, one Redis)', async () => {
    // Generous command timeouts: this is about the lock, not a loaded machine's latency.
    const a = make({ commandTimeoutMs: 2_000 });
    // Another instance on its own connection, as another process would have.
    const c = new Cache({ redis: ctx.client(), keys: a.keys, commandTimeoutMs: 2_000 });
    open.push(c);
    let calls = 0;
    const loader = async () => {
      calls++;
      await sleep(100);
      return 'shared';
    };
    const results = await Promise.all([
      a.getOrSet('thumb', { document_uuid: 'x' }, loader),
      c.getOrSet('thumb', { document_uuid: 'x' }, loader),
    ]);
    expect(results).toEqual(['shared', 'shared']);
    expect(calls).toBe(1);
  });

  it('waits for a holder that went silent only up to waitTimeoutMs, then loads itself', async () => {
    const stampede = { waitTimeoutMs: 300, lockTtlMs: 30_000 };
    const holder = make({ stampede });
    const waiter = new Cache({ redis: ctx.client(), keys: holder.keys, commandTimeoutMs: 2_000, stampede });
    open.push(waiter);
    // The holder takes the Redis lock and never finishes (as if its process hung).
    let releaseHolder!: () => void;
    const hung = holder.getOrSet(
      'thumb',
      { document_uuid: 'slow' },
      () => new Promise<string>((resolve) => (releaseHolder = () => resolve('late'))),
    );
    const locks = async () =>
      (await ctx.redis.scan('0', 'MATCH', `${ctx.prefix}:cache:lock:*`, 'COUNT', 1000))[1];
    await expect.poll(locks).toHaveLength(1);

    const started = performance.now();
    let loadedAfterMs = -1;
    const value = await waiter.getOrSet('thumb', { document_uuid: 'slow' }, async () => {
      loadedAfterMs = performance.now() - started;
      return 'mine';
    });
    expect(value).toBe('mine');
    expect(loadedAfterMs).toBeGreaterThanOrEqual(250); // it waited for the holder first…
    expect(waiter.metrics.snapshot().byType.thumb?.loads).toBe(1); // …then loaded once itself
    releaseHolder();
    expect(await hung).toBe('late');
  });

  it('serves the stale value when the loader fails within the grace period', async () => {
    const cache = make({ defaultTtlMs: 30, graceMs: 10_000 });
    await cache.getOrSet('thumb', { document_uuid: 'd' }, async () => 'old');
    await sleep(50);
    const value = await cache.getOrSet('thumb', { document_uuid: 'd' }, async () => {
      throw new Error('backend down');
    });
    expect(value).toBe('old');
    expect(cache.metrics.snapshot().byType.thumb).toMatchObject({ staleHits: 1, loadErrors: 1 });
    // Without a stale value the loader's error reaches the caller.
    await expect(
      cache.getOrSet('thumb', { document_uuid: 'none' }, async () => {
        throw new Error('backend down');
      }),
    ).rejects.toThrow('backend down');
  });

  it('passes the stale value to the loader, and revalidates in the background when asked', async () => {
    const cache = make({ defaultTtlMs: 30, graceMs: 10_000, staleWhileRevalidate: true });
    await cache.set('thumb', { document_uuid: 'd' }, 1);
    await sleep(50);
    let seen: unknown;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = await cache.getOrSet<number>(
      'thumb',
      { document_uuid: 'd' },
      async ({ stale }) => {
        seen = stale;
        await gate;
        return 2;
      },
      { ttlMs: 10_000 },
    );
    expect(first).toBe(1);
    expect(await cache.get('thumb', { document_uuid: 'd' })).toBeUndefined();
    release();
    await expect.poll(() => cache.get('thumb', { document_uuid: 'd' })).toBe(2);
    expect(seen).toBe(1);
  });

  it('after ttl + grace the value is gone from Redis', async () => {
    const cache = make({ defaultTtlMs: 20, graceMs: 20 });
    await cache.set('thumb', { document_uuid: 'd' }, 1);
    await sleep(80);
    expect(await ctx.redis.exists(`${ctx.prefix}:cache:thumb:d`)).toBe(0);
    await expect(
      cache.getOrSet('thumb', { document_uuid: 'd' }, async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
  });
});

describe('cached()', () => {
  it('wraps a function, keyed by its arguments', async () => {
    const cache = make();
    let calls = 0;
    const thumbnail = cache.cached(
      async (uuid: string, size: number) => {
        calls++;
        return `${uuid}@${size}`;
      },
      { key: (uuid, size) => ['page', { document_uuid: uuid, page: size }], ttlMs: 1_000 },
    );
    expect(await thumbnail('a', 1)).toBe('a@1');
    expect(await thumbnail('a', 1)).toBe('a@1');
    expect(await thumbnail('a', 2)).toBe('a@2');
    expect(calls).toBe(2);
    expect(await ctx.redis.pttl(`${ctx.prefix}:cache:page:a:1`)).toBeLessThanOrEqual(1_000);
  });
});

describe('memory tier', () => {
  it('serves hits from memory and bounds entries (LRU)', async () => {
    const cache = make({ memory: { maxEntries: 2 } });
    await cache.set('thumb', { document_uuid: 'a' }, 'A');
    await cache.set('thumb', { document_uuid: 'b' }, 'B');
    expect(await cache.get('thumb', { document_uuid: 'a' })).toBe('A'); // a is now most recent
    await cache.set('thumb', { document_uuid: 'c' }, 'C'); // evicts b
    expect(cache.memoryUsage.entries).toBe(2);
    // Change Redis behind the cache's back: memory answers for a and c, Redis for b.
    await ctx.redis.unlink(`${ctx.prefix}:cache:thumb:a`, `${ctx.prefix}:cache:thumb:b`);
    expect(await cache.get('thumb', { document_uuid: 'a' })).toBe('A');
    expect(await cache.get('thumb', { document_uuid: 'b' })).toBeUndefined();
    expect(cache.metrics.snapshot().byType.thumb?.memoryHits).toBe(2);
  });

  it('bounds bytes and honours its own TTL', async () => {
    const cache = make({ memory: { maxBytes: 100, ttlMs: 500 } });
    await cache.set('thumb', { document_uuid: 'big' }, 'x'.repeat(200));
    expect(cache.memoryUsage.entries).toBe(0);
    await cache.set('thumb', { document_uuid: 's' }, 'small');
    expect(cache.memoryUsage.bytes).toBeGreaterThan(0);
    await ctx.redis.set(`${ctx.prefix}:cache:thumb:s`, `1|${Date.now() + 60_000}|"changed"`);
    expect(await cache.get('thumb', { document_uuid: 's' })).toBe('small');
    await sleep(550);
    expect(await cache.get('thumb', { document_uuid: 's' })).toBe('changed');
  });

  it('evicts other instances’ memory on set and invalidation (pub/sub)', async () => {
    const a = make({ memory: {} });
    const b = new Cache({ redis: ctx.client(), keys: a.keys, memory: {}, commandTimeoutMs: 2_000 });
    open.push(b);
    await a.set('thumb', { document_uuid: 'd' }, 'v1');
    expect(await b.get('thumb', { document_uuid: 'd' })).toBe('v1'); // now in b's memory
    await sleep(50); // b's subscription is up
    await a.set('thumb', { document_uuid: 'd' }, 'v2');
    await expect.poll(() => b.get('thumb', { document_uuid: 'd' }), { timeout: 2_000 }).toBe('v2');
    await a.invalidateDocument('d');
    await expect.poll(() => b.get('thumb', { document_uuid: 'd' }), { timeout: 2_000 }).toBeUndefined();
  });
});

describe('invalidation', () => {
  it('invalidateDocument removes every key of every template with a document_uuid', async () => {
    const cache = make();
    await cache.set('thumb', { document_uuid: 'doc1' }, 1);
    await cache.set('thumb', { document_uuid: 'doc2' }, 2);
    await cache.setMany(
      'page',
      [1, 2, 3].map((p) => ({ params: { document_uuid: 'doc1', page: p }, value: p })),
    );
    await cache.set('page', { document_uuid: 'doc2', page: 1 }, 1);
    await ctx.redis.set(cache.keys.format('docState', { document_uuid: 'doc1' }), 'processing');
    await ctx.redis.set(cache.keys.format('docOcr', { document_uuid: 'doc1' }), 'text');
    expect(await cache.invalidateDocument('doc1')).toBe(6);
    expect(await cache.get('thumb', { document_uuid: 'doc1' })).toBeUndefined();
    expect(await cache.get('thumb', { document_uuid: 'doc2' })).toBe(2);
    expect(await cache.get('page', { document_uuid: 'doc2', page: 1 })).toBe(1);
    expect(await ctx.redis.exists(cache.keys.format('docState', { document_uuid: 'doc1' }))).toBe(0);
  });

  it('invalidatePattern deletes only keys of that template and those params', async () => {
    const cache = make({ batchSize: 10 });
    await cache.setMany(
      'task',
      Array.from({ length: 120 }, (_, i) => ({
        params: { pipeline: i % 2 ? 'docs' : 'mail', id: `t${i}` },
        value: i,
      })),
    );
    // A longer key the glob would also match: must survive.
    await cache.set('taskDeps', { pipeline: 'docs', id: 't1' }, 'deps');
    const [scansBefore, keysBefore] = [await commandCalls('scan'), await commandCalls('keys')];
    expect(await cache.invalidatePattern('task', { pipeline: 'docs' })).toBe(60);
    expect(await commandCalls('scan')).toBeGreaterThan(scansBefore); // SCAN in batches…
    expect(await commandCalls('keys')).toBe(keysBefore); // …never KEYS
    expect(await cache.get('taskDeps', { pipeline: 'docs', id: 't1' })).toBe('deps');
    expect(await cache.get('task', { pipeline: 'mail', id: 't0' })).toBe(0);
    expect(await cache.get('task', { pipeline: 'docs', id: 't1' })).toBeUndefined();
  });

  it('a glob character in a value never widens the pattern', async () => {
    const cache = make();
    await cache.set('task', { pipeline: 'p', id: 'a1' }, 1);
    await cache.set('task', { pipeline: 'p', id: 'a*' }, 2);
    expect(await cache.invalidatePattern('task', { pipeline: 'p', id: 'a*' })).toBe(1);
    expect(await cache.get('task', { pipeline: 'p', id: 'a1' })).toBe(1);
  });
});

describe('warm', () => {
  it('preloads recent entries up to the limit', async () => {
    const cache = make();
    let asked: { since: Date; limit: number } | undefined;
    const result = await cache.warm(
      async function* (range) {
        asked = range;
        for (let i = 0; i < 10; i++)
          yield { name: 'thumb' as const, params: { document_uuid: `w${i}` }, value: i };
      },
      { hours: 2, limit: 4 },
    );
    expect(result).toEqual({ entries: 4, written: 4 });
    expect(asked?.limit).toBe(4);
    expect(Date.now() - (asked?.since.getTime() ?? 0)).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(
      await cache.getMany(
        'thumb',
        [0, 3, 4].map((i) => ({ document_uuid: `w${i}` })),
      ),
    ).toEqual([0, 3, undefined]);
  });
});
