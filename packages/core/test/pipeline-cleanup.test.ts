import { scanKeys, useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { batchWithFile, makeStore, sleep } from './pipeline/helpers.js';

describe('PipelineStore cleanup', () => {
  const ctx = useRedis();

  it('removes finished tasks after their retention, then done batches with their files', async () => {
    const store = makeStore(ctx, { retentionMs: 1000, deadLetterRetentionMs: 2500, eventStreamMaxLength: 1 });
    const { batchId, fileId } = await batchWithFile(store);
    const ids = await store.addTasks([
      { fileId, taskType: 'extract', workerType: 'w', payload: 'x'.repeat(5000), idempotencyKey: 'k1' },
      { fileId, taskType: 'bad', workerType: 'w' },
    ]);
    const first = await store.getNextTask('w');
    await store.updateTaskStatus(first!.id, 'completed', {
      leaseToken: first!.leaseToken,
      resultData: 'y'.repeat(9000),
    });
    const second = await store.getNextTask('w');
    await store.updateTaskStatus(second!.id, 'failed', { leaseToken: second!.leaseToken, retryable: false });
    expect(await store.getBatchProgress(batchId)).toMatchObject({ done: true });

    // Nothing is due yet.
    expect(await store.cleanup()).toEqual({ tasks: 0, files: 0, batches: 0 });
    await sleep(1050);
    // The completed task is due; the dead letter is kept longer, and so is its batch with the file.
    expect(await store.cleanup()).toEqual({ tasks: 1, files: 0, batches: 0 });
    expect(await store.getTask(ids[0]!)).toBeNull();
    expect(await ctx.redis.hexists(store.keys.results, ids[0]!)).toBe(0);
    expect(await store.getTask(ids[1]!)).toMatchObject({ status: 'failed' });
    expect(await store.getFileById(fileId)).toMatchObject({ status: 'failed' });
    await sleep(1500);
    expect(await store.cleanup()).toEqual({ tasks: 1, files: 1, batches: 1 });
    expect(await store.getTask(ids[1]!)).toBeNull();
    expect(await store.getFileById(fileId)).toBeNull();
    expect(await store.getFileByPath('/inbox/a.pdf')).toBeNull();
    await expect(store.getBatchProgress(batchId)).rejects.toMatchObject({ code: 'E_BATCH_NOT_FOUND' });
    const stats = await store.getStats();
    expect(stats.tasks.total).toBe(0);
    expect(stats.files.total).toBe(0);

    // What is left is bounded bookkeeping only: counters, the capped stream, the id sequence.
    const left = (await scanKeys(ctx.redis, `${ctx.prefix}:*`)).map((key) =>
      key.slice(ctx.prefix.length + 1),
    );
    expect(left).toEqual(['{docs}:counts', '{docs}:events', '{docs}:seq', '{docs}:throughput'].sort());
  });

  it('keeps tasks whose retention has not passed, and removes in bounded rounds', async () => {
    const store = makeStore(ctx, { retentionMs: 50 });
    await store.addTasks(Array.from({ length: 30 }, () => ({ taskType: 't', workerType: 'w' })));
    for (const task of await store.claimTasks('w', 30)) {
      await store.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
    }
    const fresh = await store.addTaskToBatch({ taskType: 't', workerType: 'w' });
    await sleep(80);
    expect(await store.cleanup({ limit: 7 })).toMatchObject({ tasks: 30 });
    expect(await store.getTask(fresh)).toMatchObject({ status: 'ready' });
    expect((await store.getStats()).tasks).toMatchObject({ completed: 0, ready: 1, total: 1 });
  });
});
