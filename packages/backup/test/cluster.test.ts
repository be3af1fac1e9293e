import { useCluster, useRedis } from '@covina/testkit';
import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BackupManager } from '../src/index.js';
import { keySlot } from '../src/restore/key-slot.js';
import { logicalValue, useTempDir } from './helpers.js';
import { makeStore, readAll, seedPipeline } from './pipeline-fixture.js';

async function keysOnMasters(redis: Cluster, pattern: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const node of redis.nodes('master')) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...page);
    } while (cursor !== '0');
    out.push(keys.sort());
  }
  return out;
}

describe('backups and a 3-master Redis Cluster', () => {
  const cluster = useCluster({ masters: 3 });
  const standalone = useRedis();
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

  it('computes the same slot as the cluster for every key', async () => {
    const redis = cluster.client();
    for (const key of [
      'a',
      'covina:{docs}:tasks',
      '{}x',
      'x{}y{z}',
      'k{a}b{c}',
      'é{ü}',
      '{user1000}.following',
    ]) {
      expect(keySlot(Buffer.from(key)), key).toBe(Number(await redis.call('CLUSTER', 'KEYSLOT', key)));
    }
  });

  it('restores a standalone backup into the cluster, where the pipeline runs on', async () => {
    const source = makeStore(standalone.redis, standalone.prefix);
    const ids = await seedPipeline(source, 40);
    const before = await readAll(source, ids);
    for (let i = 0; i < 30; i++) await standalone.redis.set(`${standalone.prefix}:state:k${i}`, `v${i}`);
    const path = `${await dir.create()}/b.db`;
    const backups = new BackupManager({
      redis: standalone.redis,
      store: source,
      prefixes: [`${standalone.prefix}:state:`],
      path,
    });
    await backups.forceBackupNow();

    const redis = cluster.client();
    const restoring = new BackupManager({ redis, pipelines: ['docs'], keyPrefix: standalone.prefix, path });
    const report = await restoring.restoreFromSqliteBackup();
    expect(report.scopes.map((s) => s.create).reduce((a, b) => a + b)).toBe(report.restoredKeys);

    // Long backoffs (makeStore): no retried task falls due while the test runs.
    const target = makeStore(redis, standalone.prefix);
    expect(await readAll(target, ids)).toEqual(before);
    // The prefix's keys spread over the masters; the pipeline's all sit on one.
    const spread = await keysOnMasters(redis, `${standalone.prefix}:state:*`);
    expect(spread.filter((keys) => keys.length > 0)).toHaveLength(3);
    expect(spread.flat()).toHaveLength(30);
    const pipelineKeys = await keysOnMasters(redis, `${standalone.prefix}:{docs}:*`);
    expect(pipelineKeys.filter((keys) => keys.length > 0)).toHaveLength(1);
    const [claimed] = await target.claimTasks('pre', 1, { workerId: 'cluster' });
    expect(before.get(claimed!.id)?.status).toBe('ready');
    await target.updateTaskStatus(claimed!.id, 'completed', { leaseToken: claimed!.leaseToken });
  });

  it.each(['replication', 'tracked'] as const)(
    'backs up the cluster and restores it exactly (%s)',
    async (method) => {
      const redis = cluster.client();
      const store = makeStore(redis, cluster.prefix);
      const ids = await seedPipeline(store, 30);
      for (let i = 0; i < 40; i++) await redis.hset(`${cluster.prefix}:state:h${i}`, 'n', i);
      const keys = (await keysOnMasters(redis, `${cluster.prefix}:*`)).flat().sort();
      const values = new Map<string, unknown>();
      for (const key of keys) values.set(key, await logicalValue(redis, key));

      const backups = new BackupManager({
        redis,
        store,
        prefixes: [`${cluster.prefix}:state:`],
        path: `${await dir.create()}/b.db`,
        method,
      });
      const result = await backups.forceBackupNow();
      expect(result.nodes).toHaveLength(3);
      expect(new Set(result.nodes.map((n) => n.method))).toEqual(new Set([method]));
      expect(result.keyCount).toBe(keys.length);
      expect(result.taskCount).toBe(ids.length);

      for (const key of keys) await redis.unlink(key);
      await backups.restoreFromSqliteBackup();
      expect((await keysOnMasters(redis, `${cluster.prefix}:*`)).flat().sort()).toEqual(keys);
      for (const key of keys) expect(await logicalValue(redis, key), key).toEqual(values.get(key));
    },
  );
});
