import type { PipelineStore, TaskRecord } from '@covina/core';
import { scanKeys, useRedis } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BackupManager } from '../src/index.js';
import { useTempDir } from './helpers.js';
import { makeStore } from './pipeline-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TYPES = ['pre', 'nlp', 'index'] as const;

/** Producers add files with task chains, workers claim, complete, fail and retry, until stopped. */
function startTraffic(store: PipelineStore, acknowledged: Set<string>) {
  let stopped = false;
  let n = 0;
  const producer = async () => {
    const batchId = await store.createBatch({ name: 'flow' });
    while (!stopped) {
      const fileId = await store.addFileToBatch({
        batchId,
        path: `/flow/${n}`,
        hash: `h-${n++}`,
        size: 1,
        mimeType: 'text/plain',
      });
      const ids = await store.addTasks([
        { fileId, taskType: 'pre', workerType: 'pre', priority: n % 3, payload: { n } },
        { fileId, taskType: 'nlp', workerType: 'nlp', afterTasks: ['pre'] },
        { fileId, taskType: 'index', workerType: 'index', afterTasks: ['nlp'] },
      ]);
      for (const id of ids) acknowledged.add(id);
      await sleep(1);
    }
  };
  const worker = async (type: string, i: number) => {
    while (!stopped) {
      const [task] = await store.claimTasks(type, 1, { workerId: `live-${type}-${i}` });
      if (!task) {
        await sleep(2);
        continue;
      }
      if (Math.random() < 0.15) {
        await store.updateTaskStatus(task.id, 'failed', { leaseToken: task.leaseToken, error: 'flaky' });
      } else {
        await store.updateTaskStatus(task.id, 'completed', {
          leaseToken: task.leaseToken,
          resultData: { ok: 1 },
        });
      }
    }
  };
  const loops = [producer(), producer(), ...TYPES.flatMap((t) => [worker(t, 0), worker(t, 1)])];
  return async () => {
    stopped = true;
    await Promise.all(loops);
  };
}

/** Checks the invariants the store keeps at every instant, on the raw structures and the records. */
async function checkInvariants(redis: Redis, store: PipelineStore, prefix: string): Promise<TaskRecord[]> {
  const ids = await redis.hkeys(store.keys.tasks);
  const tasks: TaskRecord[] = [];
  for (let i = 0; i < ids.length; i += 500) tasks.push(...(await store.getTasks(ids.slice(i, i + 500))));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const t of tasks) {
    const parents = t.dependsOn.map((id) => byId.get(id));
    const openParents = parents.filter((p) => p?.status !== 'completed').length;
    if (t.status === 'waiting') expect(t.pendingDependencies, t.id).toBe(openParents);
    if (['ready', 'active', 'delayed', 'completed'].includes(t.status)) expect(openParents, t.id).toBe(0);
    if (parents.some((p) => p?.status === 'failed'))
      expect(['cancelled', 'failed'], t.id).toContain(t.status);
  }
  // Every ready task is queued exactly once, and only ready tasks are queued.
  const queued: string[] = [];
  for (const key of await scanKeys(redis, `${prefix}:{docs}:queue:*`))
    queued.push(...(await redis.lrange(key, 0, -1)));
  expect(new Set(queued).size).toBe(queued.length);
  expect(queued.sort()).toEqual(
    tasks
      .filter((t) => t.status === 'ready')
      .map((t) => t.id)
      .sort(),
  );
  // Every lease expires at a finite time (the index also holds an encoding hint scored +inf).
  const leased = await redis.zrangebyscore(store.keys.leases, '-inf', '(+inf');
  expect(leased.sort()).toEqual(
    tasks
      .filter((t) => t.status === 'active')
      .map((t) => t.id)
      .sort(),
  );
  const delayed = await redis.zrange(store.keys.delayed, 0, -1);
  expect(delayed.sort()).toEqual(
    tasks
      .filter((t) => t.status === 'delayed')
      .map((t) => t.id)
      .sort(),
  );
  const stats = await store.getStats();
  for (const status of [
    'waiting',
    'ready',
    'delayed',
    'active',
    'completed',
    'failed',
    'cancelled',
  ] as const) {
    expect(stats.tasks[status], status).toBe(tasks.filter((t) => t.status === status).length);
  }
  return tasks;
}

/** Runs everything left to a final state; fails if some task stays stuck. */
async function drain(store: PipelineStore, staleWorkers: string[]): Promise<void> {
  for (const w of staleWorkers) await store.releaseTasksOfWorker(w);
  const deadline = Date.now() + 20_000;
  for (;;) {
    await store.recoverExpiredLeases();
    let worked = false;
    for (const type of TYPES) {
      for (const task of await store.claimTasks(type, 50, { workerId: 'drain' })) {
        worked = true;
        await store.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
      }
    }
    const s = (await store.getStats()).tasks;
    if (s.waiting + s.ready + s.delayed + s.active === 0) return;
    if (Date.now() > deadline) throw new Error(`tasks stuck: ${JSON.stringify(s)}`);
    if (!worked) await sleep(20);
  }
}

describe.each(['replication', 'tracked'] as const)(
  'a backup taken while tasks keep flowing (%s)',
  (method) => {
    const ctx = useRedis();
    const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

    it('restores to a consistent pipeline: nothing lost, duplicated or stuck', async () => {
      const store = makeStore(ctx.redis, ctx.prefix, { backoff: { baseMs: 10, maxMs: 20 } });
      // Many keys make the copy take a while, so the traffic changes keys while it runs.
      const seedBatch = await store.createBatch({ name: 'seed' });
      await Promise.all(
        Array.from({ length: 1500 }, (_, i) =>
          store.addFileToBatch({
            batchId: seedBatch,
            path: `/seed/${i}`,
            hash: `s-${i}`,
            size: 1,
            mimeType: 'text/plain',
          }),
        ),
      );
      const acknowledged = new Set<string>();
      const stop = startTraffic(store, acknowledged);
      await sleep(400);
      const beforeBackup = new Set(acknowledged);
      const manager = new BackupManager({
        redis: ctx.redis,
        store,
        path: `${await dir.create()}/b.db`,
        method,
        maxPauseMs: 500,
      });
      const result = await manager.forceBackupNow();
      const afterBackup = new Set(acknowledged);
      await sleep(200);
      await stop();
      expect(result.taskCount).toBeGreaterThan(beforeBackup.size - 1);
      if (method === 'tracked') {
        // The copy saw writes: there was something to catch up on (else this test proves little).
        const details = result.nodes[0]!.details as { catchUpRounds: number; pausedRounds: number };
        expect(details.catchUpRounds + details.pausedRounds).toBeGreaterThan(1);
      }

      const live = await scanKeys(ctx.redis, `${ctx.prefix}:{docs}:*`);
      await ctx.redis.unlink(...live);
      await manager.restoreFromSqliteBackup();

      const tasks = await checkInvariants(ctx.redis, store, ctx.prefix);
      const restored = new Set(tasks.map((t) => t.id));
      for (const id of beforeBackup)
        expect(restored.has(id), `task ${id} acknowledged before the backup`).toBe(true);
      for (const id of restored)
        expect(afterBackup.has(id), `task ${id} created after the backup`).toBe(true);
      expect(restored.size).toBe(result.taskCount);

      const stale = TYPES.flatMap((t) => [`live-${t}-0`, `live-${t}-1`]);
      await drain(store, stale);
    }, 60_000);
  },
);
