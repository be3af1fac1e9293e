import { setTimeout as sleep } from 'node:timers/promises';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { allEvents, Opened, until } from './fixtures/harness.js';

const ctx = useRedis();
const opened = new Opened();
afterEach(() => opened.close());

describe('50 concurrent workers', () => {
  it('process every task exactly once between them', { timeout: 90_000 }, async () => {
    const clients = Array.from({ length: 10 }, () => ctx.client());
    const admin = opened.store(ctx.redis, ctx.prefix, { eventStreamMaxLength: 100_000 });
    const TASKS = 3_000;
    // Half the tasks wait for a parent: their readiness wakes idle workers mid-run.
    const ids = await admin.addTasks(
      Array.from({ length: TASKS }, (_, i) => ({
        taskType: 't',
        workerType: 'w',
        ref: `t${i}`,
        ...(i % 2 === 1 ? { dependsOn: [`t${i - 1}`] } : {}),
      })),
    );
    const runs = new Map<string, number>();
    const byWorker = new Map<string, number>();
    const workers = Array.from({ length: 50 }, (_, i) =>
      opened.worker({
        store: opened.store(clients[i % clients.length]!, ctx.prefix),
        workerType: 'w',
        concurrency: 2,
        claimBatchSize: 2,
        leaseMs: 20_000,
        // 50 workers share one loaded process: a 500 ms heartbeat can be starved for its 1.5 s
        // deadline, and a worker declared dead gives its tasks back (run twice, by design).
        heartbeatMs: 2_000,
        handler: async (task, taskCtx) => {
          runs.set(task.id, (runs.get(task.id) ?? 0) + 1);
          byWorker.set(taskCtx.workerId, (byWorker.get(taskCtx.workerId) ?? 0) + 1);
          await sleep(Math.random() * 3);
          return task.id;
        },
      }),
    );
    await Promise.all(workers.map((w) => w.run()));
    await until(async () => ((await admin.getStats()).tasks.completed === TASKS ? true : undefined), 45_000);

    expect(runs.size).toBe(TASKS);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);
    const tasks = await admin.getTasks(ids);
    expect(tasks.every((t) => t.status === 'completed' && t.resultData === t.id && t.attempts === 1)).toBe(
      true,
    );
    const completed = (await allEvents(admin)).filter((e) => e.type === 'task:completed');
    expect(completed).toHaveLength(TASKS);
    expect(new Set(completed.map((e) => e.taskId)).size).toBe(TASKS);
    // The work was spread out, not hoarded by a few.
    expect(byWorker.size).toBeGreaterThan(40);
    expect(workers.reduce((sum, w) => sum + w.counters.completed, 0)).toBe(TASKS);
  });
});
