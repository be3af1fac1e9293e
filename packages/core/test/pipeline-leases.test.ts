import { scanKeys, useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { LeaseLostError, TaskNotFoundError } from '../src/pipeline/index.js';
import { makeStore, sleep } from './pipeline/helpers.js';

describe('PipelineStore leases', () => {
  const ctx = useRedis();

  it('an expired lease is recovered: the task runs again, the old token is rejected and changes nothing', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 3 });
    const first = await store.getNextTask('w', { workerId: 'slow', leaseMs: 60 });
    expect(first?.leaseExpiresAt).toBeGreaterThan(Date.now() - 1000);
    await sleep(100);
    expect(await store.recoverExpiredLeases()).toMatchObject({ recovered: 1 });
    const task = await store.getTask(id);
    expect(task).toMatchObject({ status: 'ready', attempts: 1 });
    expect(task?.error).toMatch(/lease expired/);

    const second = await store.getNextTask('w', { workerId: 'fast' });
    expect(second).toMatchObject({ id, attempt: 2, workerId: 'fast' });
    const stale = first!.leaseToken;
    await expect(
      store.updateTaskStatus(id, 'completed', { leaseToken: stale, resultData: 'late' }),
    ).rejects.toThrow(LeaseLostError);
    await expect(store.extendLease(id, stale)).rejects.toMatchObject({
      code: 'E_LEASE_LOST',
      context: { taskId: id },
    });
    await expect(store.releaseTask(id, stale)).rejects.toThrow(LeaseLostError);
    await expect(store.updateTaskStatus(id, 'failed', { leaseToken: stale, error: 'x' })).rejects.toThrow(
      LeaseLostError,
    );
    await expect(store.reportProgress(id, stale, 10)).rejects.toThrow(LeaseLostError);
    expect(await store.getTask(id)).toMatchObject({ status: 'active', workerId: 'fast', attempts: 2 });

    await store.updateTaskStatus(id, 'completed', { leaseToken: second!.leaseToken, resultData: 'ok' });
    expect(await store.getTask(id)).toMatchObject({ status: 'completed', resultData: 'ok' });
    await expect(
      store.updateTaskStatus(id, 'completed', { leaseToken: second!.leaseToken }),
    ).rejects.toMatchObject({
      context: { status: 'completed' },
    });
  });

  it('a claim recovers expired leases by itself, without a reaper', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w' });
    await store.getNextTask('w', { leaseMs: 30 });
    await sleep(60);
    expect((await store.getNextTask('w'))?.id).toBe(id);
  });

  it('extending a lease keeps the task; progress is stored', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w' });
    const task = await store.getNextTask('w', { leaseMs: 1000 });
    let expiry = task!.leaseExpiresAt;
    for (let i = 0; i < 3; i++) {
      await sleep(20);
      const extended = await store.extendLease(id, task!.leaseToken, 1000);
      expect(extended).toBeGreaterThan(expiry);
      expiry = extended;
    }
    await store.reportProgress(id, task!.leaseToken, 40);
    await store.recoverExpiredLeases();
    expect(await store.getTask(id)).toMatchObject({ status: 'active', progress: 40, attempts: 1 });
  });

  it('the last attempt lost to lease expiry fails the task for good', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 1 });
    await store.getNextTask('w', { leaseMs: 20 });
    await sleep(40);
    await store.recoverExpiredLeases();
    expect(await store.getTask(id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await store.listDeadLetters()).tasks.map((t) => t.id)).toEqual([id]);
  });

  it('releaseTasksOfWorker recovers at once what a dead worker held, and nothing else', async () => {
    const store = makeStore(ctx);
    await store.addTasks(Array.from({ length: 6 }, () => ({ taskType: 't', workerType: 'w' })));
    const dead = await store.claimTasks('w', 4, { workerId: 'dead-1', leaseMs: 60_000 });
    const alive = await store.claimTasks('w', 2, { workerId: 'alive-1', leaseMs: 60_000 });
    expect(await store.releaseTasksOfWorker('dead-1')).toBe(4);
    const again = await store.claimTasks('w', 10, { workerId: 'alive-2' });
    expect(again.map((t) => t.id).sort()).toEqual(dead.map((t) => t.id).sort());
    expect(again.every((t) => t.attempt === 2)).toBe(true);
    for (const t of alive)
      expect(await store.getTask(t.id)).toMatchObject({ status: 'active', workerId: 'alive-1' });
    expect(await store.releaseTasksOfWorker('dead-1')).toBe(0);
  });

  it('concurrent recoverExpiredLeases calls recover each task once', async () => {
    const store = makeStore(ctx);
    const ids = await store.addTasks(Array.from({ length: 50 }, () => ({ taskType: 't', workerType: 'w' })));
    await store.claimTasks('w', 50, { leaseMs: 20 });
    await sleep(50);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => makeStore(ctx, {}, ctx.client()).recoverExpiredLeases({ limit: 7 })),
    );
    expect(results.reduce((sum, r) => sum + r.recovered, 0)).toBe(50);
    const tasks = await store.getTasks(ids);
    expect(tasks.every((t) => t.status === 'ready' && t.attempts === 1)).toBe(true);
  });

  it('the lease index stays a skiplist (a listpack scan per ZADD/ZREM is slow) and its hint member is never a task', async () => {
    const store = makeStore(ctx);
    await store.addTasks(Array.from({ length: 5 }, () => ({ taskType: 't', workerType: 'w' })));
    const claimed = await store.claimTasks('w', 3, { workerId: 'w1' });
    const [leases] = await scanKeys(ctx.redis, `${ctx.prefix}*leases*`);
    expect(await ctx.redis.object('ENCODING', leases!)).toBe('skiplist');
    const active = await store.listTasks({ status: 'active' });
    expect(active.tasks.map((t) => t.id).sort()).toEqual(claimed.map((t) => t.id).sort());
    expect(active.cursor).toBeNull();
    expect(await store.releaseTasksOfWorker('w1')).toBe(3);
    const again = await store.claimTasks('w', 5, { workerId: 'w2', leaseMs: 1 });
    expect(again).toHaveLength(5);
    await sleep(20);
    expect(await store.recoverExpiredLeases()).toMatchObject({ recovered: 5 });
    expect((await store.listTasks({ status: 'active' })).tasks).toEqual([]);
    // With no lease left the hint is gone too.
    expect(await ctx.redis.exists(leases!)).toBe(0);
  });

  it('unknown tasks are reported as such', async () => {
    const store = makeStore(ctx);
    await expect(store.extendLease('t404', 'token')).rejects.toThrow(TaskNotFoundError);
    expect(await store.getTask('t404')).toBeNull();
  });
});
