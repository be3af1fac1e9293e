import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { Cache, migrateKeys, v8Serializer } from '../src/index.js';
import { testKeys } from './helpers.js';

const ctx = useCluster({ masters: 3 });

/** How many masters hold keys under the test prefix. */
async function mastersHolding(cluster: ReturnType<typeof ctx.client>): Promise<number> {
  let holding = 0;
  for (const node of cluster.nodes('master')) {
    const [, keys] = await node.scan('0', 'MATCH', `${ctx.prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) holding++;
  }
  return holding;
}

describe('Cache on a 3-master Redis Cluster', () => {
  it('get/set/getMany/setMany/getOrSet route keys of many slots', async () => {
    const redis = ctx.client();
    const cache = new Cache({ redis, keys: testKeys(ctx.prefix), commandTimeoutMs: 2_000 });
    const entries = Array.from({ length: 60 }, (_, i) => ({
      params: { document_uuid: `doc${i}` },
      value: i,
    }));
    expect(await cache.setMany('thumb', entries)).toBe(60);
    expect(await mastersHolding(redis)).toBe(3);
    const values = await cache.getMany('thumb', [...entries.map((e) => e.params), { document_uuid: 'none' }]);
    expect(values).toEqual([...entries.map((e) => e.value), undefined]);

    let calls = 0;
    const load = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return 'v';
    };
    const other = new Cache({ redis: ctx.client(), keys: cache.keys, commandTimeoutMs: 2_000 });
    const results = await Promise.all([
      cache.getOrSet('thumb', { document_uuid: 'hot' }, load),
      other.getOrSet('thumb', { document_uuid: 'hot' }, load),
    ]);
    expect(results).toEqual(['v', 'v']);
    expect(calls).toBe(1);

    // Binary entries: read per key with GET on a Cluster, as Buffers.
    const binary = new Cache({ redis, keys: cache.keys, serializer: v8Serializer, commandTimeoutMs: 2_000 });
    const blobs = Array.from({ length: 30 }, (_, i) => ({
      params: { document_uuid: `bin${i}` },
      value: Buffer.from([i, 0x7c, 0x0a, 0xff]),
    }));
    expect(await binary.setMany('thumb', blobs)).toBe(30);
    const read = await binary.getMany<Buffer>(
      'thumb',
      blobs.map((b) => b.params),
    );
    expect(read.every((v, i) => Buffer.isBuffer(v) && v.equals(blobs[i]!.value))).toBe(true);
    expect((await binary.get<Buffer>('thumb', { document_uuid: 'bin3' }))?.[0]).toBe(3);
    await Promise.all([cache.close(), other.close(), binary.close()]);
  });

  it('invalidatePattern and invalidateDocument reach every master', async () => {
    const redis = ctx.client();
    const cache = new Cache({ redis, keys: testKeys(ctx.prefix), batchSize: 16, commandTimeoutMs: 2_000 });
    await cache.setMany(
      'page',
      Array.from({ length: 90 }, (_, i) => ({ params: { document_uuid: `d${i % 3}`, page: i }, value: i })),
    );
    await cache.set('thumb', { document_uuid: 'd1' }, 'thumb');
    expect(await mastersHolding(redis)).toBe(3);

    expect(await cache.invalidatePattern('page', { document_uuid: 'd0' })).toBe(30);
    expect(await cache.invalidateDocument('d1')).toBe(31);
    const left = await cache.getMany(
      'page',
      Array.from({ length: 90 }, (_, i) => ({ document_uuid: `d${i % 3}`, page: i })),
    );
    expect(left.filter((v) => v !== undefined)).toHaveLength(30);
    expect(left.every((v, i) => (i % 3 === 2 ? v === i : v === undefined))).toBe(true);
    await cache.close();
  });

  it('migrateKeys moves keys across slots (DUMP/RESTORE) and verifies', async () => {
    const redis = ctx.client();
    const keys = testKeys(ctx.prefix).register('thumbV2', 'cache:thumb2:{document_uuid}');
    const cache = new Cache({ redis, keys, commandTimeoutMs: 2_000 });
    await cache.setMany(
      'thumb',
      Array.from({ length: 40 }, (_, i) => ({ params: { document_uuid: `m${i}` }, value: i })),
    );
    const dir = await mkdtemp(join(tmpdir(), 'covina-cluster-migrate-'));
    try {
      const report = await migrateKeys({
        redis,
        keys,
        from: { name: 'thumb' },
        to: 'thumbV2',
        backupFile: join(dir, 'b.jsonl'),
        batchSize: 16,
      });
      expect(report).toMatchObject({ migrated: 40, verified: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await cache.get('thumbV2', { document_uuid: 'm7' })).toBe(7);
    expect(await cache.get('thumb', { document_uuid: 'm7' })).toBeUndefined();
    await cache.close();
  });
});
