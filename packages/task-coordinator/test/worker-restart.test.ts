import { setTimeout as sleep } from 'node:timers/promises';
import { uniquePrefix, useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerRegistry, type Worker } from '../src/index.js';
import { allEvents, Opened, until } from './fixtures/harness.js';

const f = useFaultRedis({ persistent: true });
const opened = new Opened();
const clients: Redis[] = [];
afterEach(async () => {
  await opened.close();
  for (const c of clients.splice(0)) c.disconnect();
});

const client = () => {
  const redis = new Redis(f.url);
  redis.on('error', () => {}); // refused connections while the server is down
  clients.push(redis);
  return redis;
};

/** Three workers, each on its own client, running tasks of 5-25 ms (after `onStart`, if given). */
function startWorkers(prefix: string, onStart?: (worker: Worker) => Promise<void> | void): Worker[] {
  return Array.from({ length: 3 }, () => {
    const worker: Worker = opened.worker({
      store: opened.store(client(), prefix),
      workerType: 'w',
      concurrency: 4,
      leaseMs: 2_000,
      heartbeatMs: 200,
      handler: async () => {
        await onStart?.(worker);
        await sleep(5 + Math.random() * 20);
        return 'ok';
      },
    });
    worker.on('error', () => {}); // connection errors while Redis is away are expected
    return worker;
  });
}

describe('Worker across a Redis restart', () => {
  it('reconnects and finishes every task, each completed once, without help', async () => {
    const prefix = uniquePrefix();
    const admin = opened.store(client(), prefix, { eventStreamMaxLength: 100_000 });
    const TASKS = 600;
    const ids = await admin.addTasks(
      Array.from({ length: TASKS }, (_, i) => ({ taskType: 't', workerType: 'w', payload: i })),
    );

    // After the restart, tasks wait until every worker has started one: each worker reconnects
    // after its own backoff (jittered), and without this wait the first ones back could finish
    // all the work before the last one claims anything. A worker that never comes back holds
    // the others up, and the run does not finish.
    let restarted = false;
    const backAfterRestart = new Set<Worker>();
    let allBack!: () => void;
    const everyoneBack = new Promise<void>((resolve) => {
      allBack = resolve;
    });
    const workers = startWorkers(prefix, async (worker) => {
      if (!restarted) return;
      backAfterRestart.add(worker);
      if (backAfterRestart.size === 3) allBack();
      await everyoneBack;
    });
    await Promise.all(workers.map((w) => w.run()));

    await until(async () => ((await admin.getStats()).tasks.completed >= TASKS / 4 ? true : undefined));
    await f.restart();
    restarted = true;

    await until(
      async () =>
        (await admin.getStats().catch(() => undefined))?.tasks.completed === TASKS ? true : undefined,
      40_000,
      'every task completed',
    );
    const tasks = await admin.getTasks(ids);
    expect(tasks.filter((t) => t.status !== 'completed')).toEqual([]);
    // The stream survived the restart (persistent server): one accepted completion per task.
    const completions = new Map<string, number>();
    for (const e of await allEvents(admin)) {
      if (e.type === 'task:completed') completions.set(e.taskId!, (completions.get(e.taskId!) ?? 0) + 1);
    }
    expect(completions.size).toBe(TASKS);
    expect([...completions.values()].every((n) => n === 1)).toBe(true);

    // Every worker went on by itself after the restart, and is registered and alive.
    expect(workers.every((w) => w.isRunning)).toBe(true);
    expect(workers.every((w) => backAfterRestart.has(w))).toBe(true);
    const registry = createWorkerRegistry({ redis: client(), prefix, namespace: 'docs' });
    const alive = await until(async () => {
      const list = (await registry.listWorkers()).filter((w) => w.state === 'alive');
      return list.length === 3 ? list : undefined;
    });
    expect(alive.map((w) => w.id).sort()).toEqual(workers.map((w) => w.id).sort());
    await registry.close();
  });

  it('after a crash of Redis (kill -9) and a restart, still finishes every task', async () => {
    const prefix = uniquePrefix();
    const admin = opened.store(client(), prefix);
    const TASKS = 400;
    const ids = await admin.addTasks(
      Array.from({ length: TASKS }, () => ({ taskType: 't', workerType: 'w', maxAttempts: 10 })),
    );
    const workers = startWorkers(prefix);
    await Promise.all(workers.map((w) => w.run()));
    await until(async () => ((await admin.getStats()).tasks.completed >= TASKS / 4 ? true : undefined));
    await f.kill();
    await sleep(300);
    await f.restart();
    await until(
      async () =>
        (await admin.getStats().catch(() => undefined))?.tasks.completed === TASKS ? true : undefined,
      40_000,
      'every task completed',
    );
    expect((await admin.getTasks(ids)).every((t) => t.status === 'completed')).toBe(true);
    expect(workers.every((w) => w.isRunning)).toBe(true);
  });
});
