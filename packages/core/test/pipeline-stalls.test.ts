import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/pipeline/index.js';
import { makeStore, sleep } from './pipeline/helpers.js';

describe('PipelineStore stalls', () => {
  const ctx = useRedis();

  it('counts attempts lost with their worker; one stall more than allowed fails the task for good', async () => {
    const store = makeStore(ctx);
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', maxAttempts: 10, maxStalls: 1 });
    expect(await store.getTask(id)).toMatchObject({ stalls: 0, maxStalls: 1 });

    await store.getNextTask('w', { workerId: 'gone-1', leaseMs: 20 });
    await sleep(40);
    await store.recoverExpiredLeases();
    expect(await store.getTask(id)).toMatchObject({ status: 'ready', stalls: 1, attempts: 1 });

    await store.claimTasks('w', 1, { workerId: 'gone-2', leaseMs: 60_000 });
    expect(await store.releaseTasksOfWorker('gone-2')).toBe(1);
    const failed = await store.getTask(id);
    expect(failed).toMatchObject({ status: 'failed', stalls: 2, attempts: 2 });
    expect(failed?.error).toMatch(/^stalled 2 times \(1 allowed\): worker gone-2 was lost/);
    expect((await store.listDeadLetters()).tasks.map((t) => t.id)).toEqual([id]);

    await store.retryTask(id);
    expect(await store.getTask(id)).toMatchObject({ status: 'ready', stalls: 0, attempts: 0 });
  });

  it('a failure the handler reports is not a stall; without maxStalls only maxAttempts bounds stalls', async () => {
    const store = makeStore(ctx, { maxStalls: 0 });
    const strict = await store.addTaskToBatch({ taskType: 't', workerType: 'strict' });
    const task = await store.getNextTask('strict');
    await store.updateTaskStatus(strict, 'failed', { leaseToken: task!.leaseToken, error: 'boom' });
    expect(await store.getTask(strict)).toMatchObject({ status: 'delayed', stalls: 0, maxStalls: 0 });

    const loose = makeStore(ctx);
    const id = await loose.addTaskToBatch({ taskType: 't', workerType: 'loose', maxAttempts: 3 });
    for (let i = 1; i <= 3; i++) {
      await loose.getNextTask('loose', { leaseMs: 20 });
      await sleep(40);
      await loose.recoverExpiredLeases();
      expect(await loose.getTask(id)).toMatchObject({ stalls: i, status: i < 3 ? 'ready' : 'failed' });
    }
    expect((await loose.getTask(id))?.error).toMatch(/^lease expired/);
  });

  it('refuses a maxStalls that is not an integer >= 0', async () => {
    const store = makeStore(ctx);
    await expect(store.addTaskToBatch({ taskType: 't', workerType: 'w', maxStalls: -1 })).rejects.toThrow(
      ValidationError,
    );
    expect(() => makeStore(ctx, { maxStalls: 1.5 })).toThrow(ValidationError);
  });
});
