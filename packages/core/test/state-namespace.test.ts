import { createKeyRegistry } from '@covina/cache-keys';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import {
  StateAbortedError,
  StateScanTimeoutError,
  StateStore,
  StateValidationError,
} from '../src/state/index.js';

const ctx = useRedis();

function store(namespace: string): StateStore {
  return new StateStore({ redis: ctx.redis, namespace, prefix: ctx.prefix });
}

describe('StateStore namespaces', () => {
  it('isolates namespaces, even when one name is a prefix of the other', async () => {
    const a = store('a');
    const ab = store('ab');
    const colon = store('a:b');
    await a.batchPut({ x: '1', y: '2' });
    await ab.batchPut({ x: 'ab', z: '3' });
    await colon.put('x', 'colon');
    expect((await a.get('x'))?.toString()).toBe('1');
    expect(await a.listKeys()).toEqual(['x', 'y']);
    expect(await ab.listKeys()).toEqual(['x', 'z']);
    expect(await colon.listKeys()).toEqual(['x']);
    expect(await a.count()).toBe(2);
    expect(await a.clear()).toBe(2);
    expect(await a.count()).toBe(0);
    expect(await ab.count()).toBe(2);
    expect((await colon.get('x'))?.toString()).toBe('colon');
  });

  it('isolates registry prefixes and accepts a shared registry', async () => {
    const keys = createKeyRegistry({ prefix: `${ctx.prefix}:tenant1` });
    const t1 = new StateStore({ redis: ctx.redis, namespace: 'ns', keys });
    const t2 = new StateStore({ redis: ctx.redis, namespace: 'ns', prefix: `${ctx.prefix}:tenant2` });
    await t1.put('k', '1');
    await t2.put('k', '2');
    expect((await t1.get('k'))?.toString()).toBe('1');
    expect(await t2.clear()).toBe(1);
    expect(await t1.listKeys()).toEqual(['k']);
    expect(
      () =>
        new StateStore({ redis: ctx.redis, namespace: 'ns', keys: createKeyRegistry({ defaults: false }) }),
    ).toThrow(StateValidationError);
  });

  it('ignores keys inside the namespace pattern that it did not write', async () => {
    const s = store('ns');
    await s.put('mine', 'v');
    // A glob `*` matches `:` too, and `%41` is a non-canonical alias of `A`.
    await ctx.redis.set(`${ctx.prefix}:state:ns:deeper:key`, 'x');
    await ctx.redis.set(`${ctx.prefix}:state:ns:%41`, 'x');
    await ctx.redis.set(`${ctx.prefix}:state:nsx:k`, 'x');
    expect(await s.listKeys()).toEqual(['mine']);
    expect(await s.count()).toBe(1);
    expect(await s.clear()).toBe(1);
    expect(await ctx.redis.exists(`${ctx.prefix}:state:ns:deeper:key`, `${ctx.prefix}:state:ns:%41`)).toBe(2);
  });

  it('lists, counts and clears a namespace larger than one SCAN page', async () => {
    const s = new StateStore({
      redis: ctx.redis,
      namespace: 'big',
      prefix: ctx.prefix,
      scanCount: 50,
      batchSize: 64,
    });
    const n = 1500;
    await s.batchPut(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(4, '0')}`, String(i)]));
    const keys = await s.listKeys();
    expect(keys).toHaveLength(n);
    expect(keys[0]).toBe('k0000');
    expect(keys.at(-1)).toBe('k1499');
    expect(await s.listKeys('k14')).toHaveLength(100);
    const streamed = new Set<string>();
    for await (const key of s.scanKeys('k1')) streamed.add(key);
    expect(streamed.size).toBe(500);
    expect(await s.count()).toBe(n);
    expect(await s.clear()).toBe(n);
    expect(await s.count()).toBe(0);
  });

  it('stops a scan that runs out of time or is aborted, with a typed error', async () => {
    const s = new StateStore({ redis: ctx.redis, namespace: 'slow', prefix: ctx.prefix, scanCount: 1 });
    await s.batchPut(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v']));
    const controller = new AbortController();
    controller.abort(new Error('user gave up'));
    await expect(s.listKeys('', { signal: controller.signal })).rejects.toBeInstanceOf(StateAbortedError);
    // A budget of 1 ms cannot cover ~200 round trips.
    const error = await s.count({ timeBudgetMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateScanTimeoutError);
    expect(error).toMatchObject({
      code: 'E_STATE_SCAN_TIMEOUT',
      context: { operation: 'count', timeBudgetMs: 1 },
    });
    expect(await s.count()).toBe(200);
  });
});
