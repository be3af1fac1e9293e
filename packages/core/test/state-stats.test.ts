import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { StateCommandError, StateStore, StateValidationError } from '../src/state/index.js';

const ctx = useRedis();

function store(namespace = 'ns'): StateStore {
  return new StateStore({ redis: ctx.redis, namespace, prefix: ctx.prefix });
}

describe('StateStore stats', () => {
  it('counts operations, hits, misses and bytes', async () => {
    const s = store();
    const zero = s.stats();
    expect(zero).toMatchObject({ operations: 0, errors: 0, errorRate: 0, hitRate: 0, avgLatencyMs: 0 });

    await s.put('a', 'abc'); // 3 bytes written
    await s.batchPut({ b: '12345', c: '' }); // 5 more
    await s.get('a'); // hit, 3 bytes read
    await s.get('nope'); // miss
    await s.batchGet(['b', 'c', 'x']); // 2 hits (5 + 0 bytes), 1 miss
    await s.getAndDelete('a'); // hit, 3 bytes
    await s.contains('b');

    const stats = s.stats();
    expect(stats.operations).toBe(7);
    expect(stats.hits).toBe(4);
    expect(stats.misses).toBe(2);
    expect(stats.hitRate).toBeCloseTo(4 / 6);
    expect(stats.bytesWritten).toBe(8);
    expect(stats.bytesRead).toBe(11);
    expect(stats.errors).toBe(0);
    expect(stats.avgLatencyMs).toBeGreaterThan(0);
    expect(stats.byOperation.get).toMatchObject({ calls: 2, errors: 0 });
    expect(stats.byOperation.batchGet?.calls).toBe(1);

    s.resetStats();
    expect(s.stats()).toMatchObject({ operations: 0, hits: 0, bytesRead: 0, byOperation: {} });
  });

  it('counts Redis failures as errors but not rejected input', async () => {
    const s = store();
    // A foreign hash inside the namespace: GET answers WRONGTYPE.
    await ctx.redis.hset(`${ctx.prefix}:state:ns:hash`, 'f', 'v');
    const error = await s.get('hash').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateCommandError);
    expect(error).toMatchObject({ code: 'E_STATE_COMMAND', context: { operation: 'get', namespace: 'ns' } });
    expect((error as Error).cause).toBeInstanceOf(Error);
    await expect(s.get('')).rejects.toBeInstanceOf(StateValidationError);
    await s.get('other');
    expect(s.stats()).toMatchObject({ operations: 2, errors: 1, errorRate: 0.5 });
  });

  it('counts checkpoint reads and restore writes as bytes', async () => {
    const s = store();
    await s.batchPut({ a: 'xx', b: 'yyy' });
    s.resetStats();
    const cp = await s.checkpoint();
    await store('other').restore(cp);
    expect(s.stats().bytesRead).toBe(5);
  });
});

describe('StateStore memoryUsage and healthCheck', () => {
  it('sums MEMORY USAGE for small namespaces and extrapolates from a sample for large ones', async () => {
    const s = store();
    expect(await s.memoryUsage()).toEqual({
      keys: 0,
      sampledKeys: 0,
      bytes: 0,
      avgBytesPerKey: 0,
      exact: true,
    });
    await s.batchPut(Array.from({ length: 300 }, (_, i) => [`k${i}`, Buffer.alloc(1000, i)]));
    const exact = await s.memoryUsage();
    expect(exact).toMatchObject({ keys: 300, sampledKeys: 300, exact: true });
    expect(exact.bytes).toBeGreaterThan(300 * 1000);
    expect(exact.bytes).toBeLessThan(300 * 1400);

    const sampled = await s.memoryUsage({ sampleSize: 50 });
    expect(sampled).toMatchObject({ keys: 300, sampledKeys: 50, exact: false });
    expect(Math.abs(sampled.bytes - exact.bytes) / exact.bytes).toBeLessThan(0.05);
  });

  it('reports a healthy server with its latency', async () => {
    const health = await store().healthCheck();
    expect(health.healthy).toBe(true);
    expect(health.mode).toBe('standalone');
    expect(health.nodes).toHaveLength(1);
    expect(health.nodes[0]?.address).toMatch(/:\d+$/);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
