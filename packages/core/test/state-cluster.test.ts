import { useCluster } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../src/state/index.js';

const ctx = useCluster({ masters: 3 });

function store(namespace: string, batchSize = 50): StateStore {
  return new StateStore({ redis: ctx.client(), namespace, prefix: ctx.prefix, batchSize, scanCount: 100 });
}

describe('StateStore on Redis Cluster', { timeout: 60_000 }, () => {
  it('spreads a namespace over every master and lists, counts and clears it across them', async () => {
    const s = store('spread');
    const n = 300;
    const entries = Array.from(
      { length: n },
      (_, i) => [`doc:${i}`, Buffer.from([i % 256, 0, 255])] as const,
    );
    await s.batchPut(entries);

    // Each master holds part of the namespace.
    const cluster = ctx.client();
    await cluster.ping();
    const perMaster = await Promise.all(
      cluster.nodes('master').map(async (node) => {
        const [, keys] = await node.scan('0', 'MATCH', `${ctx.prefix}:state:spread:*`, 'COUNT', 10_000);
        return keys.length;
      }),
    );
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((c) => c > 0)).toBe(true);

    expect(await s.count()).toBe(n);
    expect(await s.listKeys('doc:1')).toEqual(
      entries
        .map(([k]) => k)
        .filter((k) => k.startsWith('doc:1'))
        .sort(),
    );
    const values = await s.batchGet(['doc:7', 'nope', 'doc:299']);
    expect(values.map((v) => v && [...v])).toEqual([[7, 0, 255], null, [299 % 256, 0, 255]]);
    expect(await s.batchDelete(['doc:0', 'doc:1', 'nope'])).toBe(2);
    expect(await s.clear()).toBe(n - 2);
    expect(await s.count()).toBe(0);
  });

  it('runs every single-key operation', async () => {
    const s = store('single');
    await s.put('a', 'x');
    await s.putWithTtl('t', 'y', 30_000);
    expect((await s.get('a'))?.toString()).toBe('x');
    expect(await s.contains('t')).toBe(true);
    expect(await s.ttl('t')).toBeGreaterThan(29_000);
    expect(await s.ttl('a')).toBe(Number.POSITIVE_INFINITY);
    expect(await s.setIfNotExists('a', 'z')).toBe(false);
    expect(await s.setIfNotExists('n', 'z', 10_000)).toBe(true);
    expect((await s.getAndDelete('n'))?.toString()).toBe('z');
    expect(await s.delete('a')).toBe(true);
    expect(await s.listKeys()).toEqual(['t']);
  });

  it('checkpoints and restores a namespace spread over the masters', async () => {
    const source = store('cp-src');
    await source.batchPut(Array.from({ length: 120 }, (_, i) => [`k${i}`, `v${i}`] as const));
    await source.putWithTtl('ttl', 'soon', 60_000);
    const cp = await source.checkpoint();
    expect(cp.entries).toHaveLength(121);
    expect(cp.entries.find((e) => e.key === 'ttl')?.expiresAt).toBeGreaterThan(cp.createdAt + 55_000);

    const target = store('cp-dst');
    await target.batchPut({ stray: 'x', k1: 'old' });
    expect(await target.restore(cp)).toEqual({ written: 121, expired: 0, deleted: 1 });
    expect((await target.get('k1'))?.toString()).toBe('v1');
    expect(await target.ttl('ttl')).toBeGreaterThan(55_000);
    expect((await target.checkpoint()).entries).toEqual(cp.entries);
  });

  it('measures memory and health on every master', async () => {
    const s = store('mem');
    await s.batchPut(Array.from({ length: 60 }, (_, i) => [`k${i}`, Buffer.alloc(500)] as const));
    const usage = await s.memoryUsage();
    expect(usage).toMatchObject({ keys: 60, sampledKeys: 60, exact: true });
    expect(usage.bytes).toBeGreaterThan(60 * 500);
    const health = await s.healthCheck();
    expect(health).toMatchObject({ healthy: true, mode: 'cluster' });
    expect(health.nodes).toHaveLength(3);
  });
});
