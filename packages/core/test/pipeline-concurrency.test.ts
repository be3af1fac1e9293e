import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { makeStore } from './pipeline/helpers.js';

describe('PipelineStore concurrent claims', () => {
  const ctx = useRedis();

  it('100 getNextTask calls made together share a few claim calls of at most 32, each task once', async () => {
    const store = makeStore(ctx);
    await store.addTasks(Array.from({ length: 100 }, () => ({ taskType: 't', workerType: 'w' })));
    // Loads the scripts first, so that only the claims below are counted.
    await store.claimTasks('w', 1).then(([task]) => store.releaseTask(task!.id, task!.leaseToken));
    await ctx.redis.config('RESETSTAT');
    const claimed = await Promise.all(Array.from({ length: 100 }, () => store.getNextTask('w')));
    const calls = /cmdstat_fcall:calls=(\d+)/.exec(await ctx.redis.info('commandstats'))?.[1];
    expect(Number(calls)).toBe(4); // 32 + 32 + 32 + 4
    expect(new Set(claimed.map((task) => task?.id)).size).toBe(100);
  });

  it('20 claimers on separate connections take 10,000 tasks, none twice, none lost', async () => {
    const producer = makeStore(ctx);
    const total = 10_000;
    const ids = await producer.addTasks(
      Array.from({ length: total }, (_, i) => ({
        taskType: 'work',
        workerType: 'w',
        priority: i % 7,
        payload: i,
      })),
    );
    expect(new Set(ids).size).toBe(total);

    const claimedBy = new Map<string, string>();
    const duplicates: string[] = [];
    const workers = Array.from({ length: 20 }, async (_, w) => {
      const store = makeStore(ctx, { workerId: `worker-${w}` }, ctx.client());
      let idle = 0;
      while (idle < 3) {
        // Mixed batch sizes: single claims and bulk claims race with each other.
        const batch = await store.claimTasks('w', 1 + (w % 5) * 10);
        if (batch.length === 0) {
          idle += 1;
          continue;
        }
        idle = 0;
        await Promise.all(
          batch.map(async (task) => {
            if (claimedBy.has(task.id)) duplicates.push(task.id);
            claimedBy.set(task.id, task.workerId);
            await store.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
          }),
        );
      }
    });
    await Promise.all(workers);

    expect(duplicates).toEqual([]);
    expect(claimedBy.size).toBe(total);
    expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
    const stats = await producer.getStats();
    expect(stats.tasks).toMatchObject({ completed: total, ready: 0, active: 0, total });
    expect(stats.throughput.completedLastMinute).toBe(total);
  });
});
