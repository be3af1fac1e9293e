import { useCluster } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { PartitionedPipeline, type PipelineEvent, PipelineStore } from '../src/pipeline/index.js';
import { pipelineLibrary } from '../src/pipeline/scripts.js';
import { eventually } from './pipeline/helpers.js';

const ctx = useCluster({ masters: 3 });

describe('PipelineStore on a 3-master Redis Cluster', { timeout: 60_000 }, () => {
  it('runs the whole flow: every key of one pipeline in one slot', async () => {
    const redis = ctx.client();
    const store = new PipelineStore({
      redis,
      pipeline: 'docs',
      prefix: ctx.prefix,
      leaseMs: 5000,
      retentionMs: 1,
    });
    const events: PipelineEvent[] = [];
    const subscription = await store.subscribe((event) => events.push(event));

    const batchId = await store.createBatch({ name: 'cluster' });
    const fileId = await store.addFileToBatch({
      batchId,
      path: '/c.pdf',
      hash: 'hc',
      size: 9,
      mimeType: 'application/pdf',
    });
    const [a, b] = await store.addTasks([
      { ref: 'a', fileId, taskType: 'extract', workerType: 'w', payload: { big: 'x'.repeat(4000) } },
      { fileId, taskType: 'index', workerType: 'w', dependsOn: ['a'] },
    ]);
    for (const id of [a, b]) {
      const task = await store.getNextTask('w');
      expect(task?.id).toBe(id);
      await store.updateTaskStatus(id!, 'completed', {
        leaseToken: task!.leaseToken,
        resultData: 'y'.repeat(3000),
      });
    }
    expect((await store.getTask(a!))?.resultData).toBe('y'.repeat(3000));
    expect(await store.getBatchProgress(batchId)).toMatchObject({ done: true, tasks: { completed: 2 } });
    const stats = await store.getStats();
    expect(stats.tasks.completed).toBe(2);
    expect(stats.redisMemoryBytes).toBeGreaterThan(0);
    await eventually(async () => (events.some((e) => e.type === 'batch:completed') ? true : undefined), 5000);
    expect((await store.readEvents({ count: 100 })).map((e) => e.type)).toContain('batch:completed');

    const slots = new Set<number>();
    for (const key of [
      ...store.keys.scriptKeys,
      store.keys.file(fileId),
      store.keys.batch(batchId),
      store.keys.queue('w', 0),
    ]) {
      slots.add(Number(await redis.cluster('KEYSLOT', key)));
    }
    expect(slots.size).toBe(1);
    // The scripts run as a function library, loaded on every master (any may own a pipeline).
    for (const node of redis.nodes('master')) {
      expect(await node.call('FUNCTION', 'LIST', 'LIBRARYNAME', pipelineLibrary.name)).toHaveLength(1);
    }

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.cleanup()).toMatchObject({ tasks: 2, files: 1, batches: 1 });
    await subscription.close();
    await store.close();
  });

  it('PartitionedPipeline spreads one pipeline over every master', async () => {
    const redis = ctx.client();
    const pipeline = new PartitionedPipeline({ redis, pipeline: 'big', prefix: ctx.prefix, partitions: 9 });
    await redis.ping();
    const masterOf = async (key: string) => {
      const slot = Number(await redis.cluster('KEYSLOT', key));
      const ranges = await redis.cluster('SLOTS');
      const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
      const [host, port] = range[2]!;
      return `${host}:${port}`;
    };
    const masters = new Set(
      await Promise.all(pipeline.partitions.map((p) => masterOf(p.keys.scriptKeys[0]!))),
    );
    expect(masters.size).toBe(3);

    const ids = await pipeline.addTasks(
      Array.from({ length: 300 }, (_, i) => ({ taskType: 't', workerType: 'w', priority: i % 3 })),
    );
    const done = new Set<string>();
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (
          let batch = await pipeline.claimTasks('w', 10);
          batch.length > 0;
          batch = await pipeline.claimTasks('w', 10)
        ) {
          for (const task of batch) {
            expect(done.has(task.id)).toBe(false);
            done.add(task.id);
            await pipeline.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
          }
        }
      }),
    );
    expect(done.size).toBe(ids.length);
    expect((await pipeline.getStats()).tasks).toMatchObject({ completed: 300, total: 300 });
    await pipeline.close();
  });
});
