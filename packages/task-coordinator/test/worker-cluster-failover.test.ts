import { useCluster } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runTasksAfterFailover, startEchoWorkers } from './fixtures/failover.js';
import { Opened, until } from './fixtures/harness.js';

const ctx = useCluster({ masters: 3, replicasPerMaster: 1 });

/** A node's INFO replication, as it reports it now. */
async function replicationOf(port: number): Promise<string> {
  const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    return await node.info('replication');
  } finally {
    node.disconnect();
  }
}

const roleOf = async (port: number) => /^role:(\w+)/m.exec(await replicationOf(port))?.[1] ?? '';

describe('Worker across a Redis Cluster failover', () => {
  const opened = new Opened();
  afterAll(() => opened.close());

  it('goes on running tasks when the replica of the pipeline’s master takes over', async () => {
    const admin = opened.store(ctx.client(), ctx.prefix);
    const workers = await startEchoWorkers(opened, () => opened.store(ctx.client(), ctx.prefix));

    const before = await admin.addTasks(
      Array.from({ length: 100 }, (_, i) => ({ taskType: 't', workerType: 'w', payload: i })),
    );
    await until(async () => ((await admin.getStats()).tasks.completed === 100 ? true : undefined));

    // The master that owns the pipeline's slot, and its replica once in sync with it.
    const slot = Number(await ctx.client().cluster('KEYSLOT', admin.keys.tasks));
    const ranges = await ctx.client().cluster('SLOTS');
    const masterPort = ranges.find(([from, to]) => from <= slot && slot <= to)![2]![1];
    const replicaPort = await until(
      async () => {
        for (const node of ctx.cluster.replicas) {
          const info = await replicationOf(node.port);
          const following = new RegExp(`^master_port:${masterPort}\\r?$`, 'm').test(info);
          if (following && info.includes('master_link_status:up')) return node.port;
        }
        return undefined;
      },
      20_000,
      'a replica in sync with the master',
    );

    const replica = new Redis(replicaPort, '127.0.0.1');
    await replica.cluster('FAILOVER');
    replica.disconnect();
    await until(
      async () =>
        (await roleOf(replicaPort)) === 'master' && (await roleOf(masterPort)) === 'slave' ? true : undefined,
      20_000,
      'the replica promoted',
    );

    const done = await runTasksAfterFailover(admin);
    expect(done.map((t) => t.resultData)).toEqual(done.map((_, i) => 100 + i));
    expect(workers.every((w) => w.isRunning)).toBe(true);
    expect((await admin.getTasks(before)).every((t) => t.status === 'completed')).toBe(true);
    expect((await admin.getStats()).tasks.completed).toBe(200);
  }, 60_000);
});
