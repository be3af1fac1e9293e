import { PipelineStore } from '@covina/core';
import { useCluster } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Coordinator, Worker } from '../src/index.js';
import { until } from './fixtures/harness.js';

const c = useCluster();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('Worker on a Redis Cluster', () => {
  it('runs the tasks of pipelines on different masters; the coordinator sees workers and tasks', async () => {
    const pipelines = ['docs', 'mail', 'scans'];
    const results = await Promise.all(
      pipelines.map(async (pipeline) => {
        const store = new PipelineStore({ redis: c.client(), pipeline, prefix: c.prefix });
        const worker = new Worker({
          store,
          workerType: 'ocr',
          concurrency: 3,
          heartbeatMs: 100,
          leaseMs: 2_000,
          handler: async (task) => `${pipeline}:${task.payload}`,
        });
        const coordinator = new Coordinator({ store });
        closers.push(async () => {
          await worker.close();
          await coordinator.close();
          await store.close();
        });
        await worker.run();
        const ids = await Promise.all(
          Array.from({ length: 20 }, (_, i) => coordinator.submitTask({ taskType: 'ocr', taskData: i })),
        );
        await until(async () => ((await store.getStats()).tasks.completed === 20 ? true : undefined));
        const stats = await coordinator.getClusterStats();
        const [worker0] = await coordinator.listWorkers();
        return { pipeline, ids, store, stats, worker0 };
      }),
    );
    for (const { pipeline, ids, store, stats, worker0 } of results) {
      expect((await store.getTasks(ids)).map((t) => t.resultData)).toEqual(
        ids.map((_, i) => `${pipeline}:${i}`),
      );
      expect(stats.workers.byType.ocr).toMatchObject({ alive: 1, concurrency: 3 });
      expect(stats.tasksByType.ocr?.completed).toBe(20);
      // The liveness probe needs PUBSUB NUMSUB of one node: off on a cluster (heartbeats only).
      expect(worker0?.meta.liveness).toBeUndefined();
    }
  });
});
