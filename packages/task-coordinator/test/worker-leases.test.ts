import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseLostError } from '@covina/core';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LeaseLostEvent,
  TaskCancelledError,
  type TaskReleasedEvent,
  TaskTimeoutError,
  WorkerClosingError,
} from '../src/index.js';
import { Opened, until } from './fixtures/harness.js';

const ctx = useRedis();
const opened = new Opened();
afterEach(() => opened.close());

/** Resolves with the reason when `signal` aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );

describe('Worker leases', () => {
  it('renews the lease on its own timer while a handler runs far longer than the lease', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const id = await store.addTaskToBatch({ taskType: 'slow', workerType: 'slow' });
    const lost: LeaseLostEvent[] = [];
    const expiries: number[] = [];
    const worker = opened.worker({
      store,
      workerType: 'slow',
      leaseMs: 1_000,
      heartbeatMs: 100,
      handler: async (task) => {
        for (let i = 0; i < 6; i++) {
          await sleep(400);
          expiries.push((await store.getTask(task.id))!.leaseExpiresAt!);
        }
        return 'finished';
      },
    });
    worker.on('lease:lost', (e) => lost.push(e));
    await worker.run();
    // Another process recovering expired leases all along must find nothing to recover.
    const reaper = setInterval(() => void store.recoverExpiredLeases(), 50);
    try {
      await until(async () => ((await store.getTask(id))?.status === 'completed' ? true : undefined));
    } finally {
      clearInterval(reaper);
    }
    expect(await store.getTask(id)).toMatchObject({
      status: 'completed',
      attempts: 1,
      resultData: 'finished',
    });
    expect(lost).toEqual([]);
    // 2.4 s of work on a 1 s lease: it was pushed forward again and again.
    expect(new Set(expiries).size).toBeGreaterThanOrEqual(4);
  });

  it('aborts the handler when the lease is lost, and never writes its result', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 5 });
    const reasons: unknown[] = [];
    const lost: LeaseLostEvent[] = [];
    const a = opened.worker({
      store,
      workerType: 'w',
      leaseMs: 2_000,
      heartbeatMs: 100,
      registry: false,
      handler: async (_task, taskCtx) => {
        reasons.push(await aborted(taskCtx.signal));
        return 'stale result from A';
      },
    });
    a.on('lease:lost', (e) => lost.push(e));
    await a.run();
    const claimed = await until(async () => {
      const task = await store.getTask(id);
      return task?.status === 'active' ? task : undefined;
    });
    a.pause(); // so that A does not claim the task again once it is back in the queue
    // Someone decides A is gone (as a sweeper would) and recovers its tasks.
    expect(await store.releaseTasksOfWorker(claimed.workerId!)).toBe(1);
    await until(() => (reasons.length === 1 ? true : undefined));
    expect(reasons[0]).toBeInstanceOf(LeaseLostError);
    expect(lost.map((e) => e.task.id)).toEqual([id]);

    await a.close();
    const b = opened.worker({
      store,
      workerType: 'w',
      leaseMs: 2_000,
      heartbeatMs: 100,
      handler: async () => 'B',
    });
    await b.run();
    await until(async () => ((await store.getTask(id))?.status === 'completed' ? true : undefined));
    expect(await store.getTask(id)).toMatchObject({ resultData: 'B', attempts: 2 });
    expect(a.counters).toMatchObject({ completed: 0, lost: 1 });
  });

  it('times out an attempt: the signal aborts with TaskTimeoutError and the attempt counts as failed', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 2 });
    const reasons: unknown[] = [];
    const worker = opened.worker({
      store,
      workerType: 'w',
      leaseMs: 3_000,
      heartbeatMs: 200,
      timeoutMs: 150,
      handler: async (_task, taskCtx) => {
        reasons.push(await aborted(taskCtx.signal));
        return 'too late';
      },
    });
    await worker.run();
    await until(async () => ((await store.getTask(id))?.status === 'failed' ? true : undefined));
    expect(reasons).toHaveLength(2);
    expect(reasons.every((r) => r instanceof TaskTimeoutError)).toBe(true);
    expect((reasons[0] as TaskTimeoutError).context).toEqual({ taskId: id, timeoutMs: 150 });
    const task = await store.getTask(id);
    expect(task).toMatchObject({ status: 'failed', attempts: 2 });
    expect(task?.error).toContain('ran longer than its timeout of 150 ms');
    expect((await store.getTaskErrors(id)).map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('a handler that first looks at its signal after the timeout finds it aborted', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 1 });
    const seen: unknown[] = [];
    const worker = opened.worker({
      store,
      workerType: 'w',
      leaseMs: 3_000,
      heartbeatMs: 200,
      timeoutMs: 50,
      handler: async (_task, taskCtx) => {
        await sleep(250);
        seen.push(taskCtx.signal.aborted, taskCtx.signal.reason);
      },
    });
    await worker.run();
    await until(() => (seen.length === 2 ? true : undefined));
    expect(seen[0]).toBe(true);
    expect(seen[1]).toBeInstanceOf(TaskTimeoutError);
    expect((await store.getTask(id))?.status).toBe('failed');
  });

  it('aborts a running task cancelled with cancelTask (TaskCancelledError) and drops its result', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w' });
    const child = await store.addTaskToBatch({ taskType: 'u', workerType: 'w', dependsOn: [id] });
    const reasons: unknown[] = [];
    let started = false;
    const worker = opened.worker({
      store,
      workerType: 'w',
      leaseMs: 2_000,
      heartbeatMs: 100,
      handler: async (_task, taskCtx) => {
        started = true;
        reasons.push(await aborted(taskCtx.signal));
        return 'ignored';
      },
    });
    await worker.run();
    await until(() => (started ? true : undefined));
    expect(await store.cancelTask(id, { reason: 'user changed their mind' })).toEqual({
      cancelled: true,
      descendants: 1,
    });
    await until(() => (reasons.length === 1 ? true : undefined));
    expect(reasons[0]).toBeInstanceOf(TaskCancelledError);
    expect((reasons[0] as TaskCancelledError).cause).toBeInstanceOf(LeaseLostError);
    await sleep(200);
    const [task, dependent] = await store.getTasks([id, child]);
    expect(task).toMatchObject({ status: 'cancelled', error: 'user changed their mind' });
    expect(task?.resultData).toBeUndefined();
    expect(dependent?.status).toBe('cancelled');
  });

  it('closes gracefully: finishes what it can before the deadline and gives the rest back at once', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const quick = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload: 'quick' });
    const stuck = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload: 'stuck' });
    const reasons: unknown[] = [];
    const released: TaskReleasedEvent[] = [];
    // The quick task finishes once close() has begun, well inside the deadline (a fixed sleep
    // raced the deadline on a loaded machine).
    let closing!: () => void;
    const closeBegun = new Promise<void>((resolve) => {
      closing = resolve;
    });
    const worker = opened.worker<string>({
      store,
      workerType: 'w',
      concurrency: 2,
      leaseMs: 30_000,
      heartbeatMs: 1_000,
      handler: async (task, taskCtx) => {
        if (task.payload === 'quick') {
          await closeBegun;
          return 'done in time';
        }
        reasons.push(await aborted(taskCtx.signal));
        return 'never stored';
      },
    });
    worker.on('task:released', (e) => released.push(e));
    await worker.run();
    await until(() => (worker.counters.running === 2 ? true : undefined));
    const later = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload: 'later' });

    const started = performance.now();
    const closed = worker.close({ deadlineMs: 400 });
    closing();
    await closed;
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(350);

    const [q, s, l] = await store.getTasks([quick, stuck, later]);
    expect(q).toMatchObject({ status: 'completed', resultData: 'done in time' });
    // Given back, not failed: the attempt does not count and it is ready for the next worker
    // now, not after its 30 s lease.
    expect(s).toMatchObject({ status: 'ready', attempts: 0 });
    expect(l).toMatchObject({ status: 'ready', attempts: 0 });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(WorkerClosingError);
    expect(released.map((e) => [e.task.id, e.reason])).toEqual([[stuck, 'closing']]);
    expect(worker.isRunning).toBe(false);

    const next = opened.worker({ store, workerType: 'w', leaseMs: 3_000, handler: async () => 'next' });
    await next.run();
    await until(async () =>
      (await store.getTasks([stuck, later])).every((t) => t.status === 'completed') ? true : undefined,
    );
  });
});
