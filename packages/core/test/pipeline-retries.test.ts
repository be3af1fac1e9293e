import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../src/pipeline/index.js';
import { eventually, makeStore, sleep } from './pipeline/helpers.js';

describe('PipelineStore retries, dead letters and delays', () => {
  const ctx = useRedis();

  it('backs off exponentially with jitter between attempts, then dead-letters with the error history', async () => {
    const store = makeStore(ctx, { backoff: { baseMs: 80, maxMs: 1000 } });
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 3 });
    const startedAt: number[] = [];
    const runAt: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const task = await eventually(async () => (await store.getNextTask('w')) ?? undefined, 3000);
      expect(task).toMatchObject({ id, attempt });
      startedAt.push(task.startedAt!);
      const status = await store.updateTaskStatus(id, 'failed', {
        leaseToken: task.leaseToken,
        error: new Error(`attempt ${attempt} broke`),
      });
      expect(status).toBe(attempt < 3 ? 'delayed' : 'failed');
      if (attempt < 3) {
        const delayed = await store.getTask(id);
        expect(delayed?.status).toBe('delayed');
        // Equal jitter: between half and all of base * 2^(attempt-1) after the failure (Redis time).
        const failedAt = (await store.getTaskErrors(id))[attempt - 1]!.at;
        const full = 80 * 2 ** (attempt - 1);
        expect(delayed!.runAt! - failedAt).toBeGreaterThanOrEqual(full / 2);
        expect(delayed!.runAt! - failedAt).toBeLessThanOrEqual(full);
        runAt.push(delayed!.runAt!);
      }
    }
    // Never handed out again before its backoff ended (both times from the Redis clock).
    expect(startedAt[1]!).toBeGreaterThanOrEqual(runAt[0]!);
    expect(startedAt[2]!).toBeGreaterThanOrEqual(runAt[1]!);

    expect(await store.getTask(id)).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'attempt 3 broke',
    });
    const errors = await store.getTaskErrors(id);
    expect(errors.map((e) => [e.attempt, e.error])).toEqual([
      [1, 'attempt 1 broke'],
      [2, 'attempt 2 broke'],
      [3, 'attempt 3 broke'],
    ]);
    const dead = await store.listDeadLetters();
    expect(dead.tasks.map((t) => t.id)).toEqual([id]);
    expect(dead.tasks[0]?.errors).toHaveLength(3);
    expect((await store.getStats()).deadLetters).toBe(1);

    // Retrying takes it out of the dead-letter set with fresh attempts.
    await store.retryTask(id);
    expect(await store.getTask(id)).toMatchObject({ status: 'ready', attempts: 0 });
    expect((await store.listDeadLetters()).tasks).toEqual([]);
    await expect(store.retryTask(id)).rejects.toThrow(InvalidStateError);
  });

  it('a non-retryable failure fails for good at once', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 5 });
    const task = await store.getNextTask('w');
    expect(
      await store.updateTaskStatus(id, 'failed', {
        leaseToken: task!.leaseToken,
        error: 'bad input',
        retryable: false,
      }),
    ).toBe('failed');
    expect(await store.getTask(id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('delayed tasks wait for their time; runAt and delayMs both work', async () => {
    const store = makeStore(ctx);
    const soon = await store.addTaskToBatch({ taskType: 't', workerType: 'w', delayMs: 250 });
    const at = await store.addTaskToBatch({
      taskType: 't',
      workerType: 'w',
      runAt: new Date(Date.now() + 100),
    });
    const now = await store.addTaskToBatch({ taskType: 't', workerType: 'w', priority: 5 });
    expect(await store.getTask(soon)).toMatchObject({ status: 'delayed' });
    const due = new Map((await store.getTasks([soon, at])).map((t) => [t.id, t.runAt!]));
    expect((await store.getNextTask('w'))?.id).toBe(now);

    const order: string[] = [];
    while (order.length < 2) {
      const task = await eventually(async () => (await store.getNextTask('w')) ?? undefined);
      // Never handed out before its time (Redis and this process share the clock).
      expect(Date.now()).toBeGreaterThanOrEqual(due.get(task.id)! - 5);
      order.push(task.id);
    }
    expect(order).toEqual([at, soon]);
  });

  it('recoverExpiredLeases also promotes due delayed tasks', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', delayMs: 30 });
    await sleep(50);
    expect(await store.recoverExpiredLeases()).toMatchObject({ promoted: 1 });
    expect(await store.getTask(id)).toMatchObject({ status: 'ready' });
  });

  it('idempotency keys return the existing task instead of adding one', async () => {
    const store = makeStore(ctx);
    const first = await store.addTaskToBatch({
      taskType: 't',
      workerType: 'w',
      idempotencyKey: 'doc-1:extract',
    });
    const again = await store.addTaskToBatch({
      taskType: 't',
      workerType: 'w',
      idempotencyKey: 'doc-1:extract',
    });
    expect(again).toBe(first);
    const [x, y] = await store.addTasks([
      { taskType: 't', workerType: 'w', idempotencyKey: 'doc-1:extract' },
      { taskType: 't', workerType: 'w', idempotencyKey: 'doc-2:extract' },
    ]);
    expect(x).toBe(first);
    expect(y).not.toBe(first);
    expect((await store.getStats()).tasks.total).toBe(2);
  });
});
