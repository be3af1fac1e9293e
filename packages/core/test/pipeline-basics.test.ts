import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { batchWithFile, makeStore } from './pipeline/helpers.js';

describe('PipelineStore basics', () => {
  const ctx = useRedis();

  it('adds a batch, a file and a task, claims and completes it', async () => {
    const store = makeStore(ctx);
    const { batchId, fileId } = await batchWithFile(store);
    const file = await store.getFileById(fileId);
    expect(file).toMatchObject({
      id: fileId,
      batchId,
      path: '/inbox/a.pdf',
      name: 'a.pdf',
      status: 'pending',
    });
    expect((await store.getFileByPath('/inbox/a.pdf'))?.id).toBe(fileId);
    expect((await store.getFileByHash('sha-/inbox/a.pdf'))?.id).toBe(fileId);

    const taskId = await store.addTaskToBatch({
      fileId,
      taskType: 'extract',
      workerType: 'pre',
      payload: { page: 1 },
    });
    const stored = await store.getTask(taskId);
    expect(stored).toMatchObject({
      id: taskId,
      status: 'ready',
      fileId,
      batchId,
      payload: { page: 1 },
      attempts: 0,
    });

    const claimed = await store.getNextTask('pre', { workerId: 'w1' });
    expect(claimed).toMatchObject({
      id: taskId,
      status: 'active',
      workerId: 'w1',
      attempt: 1,
      payload: { page: 1 },
    });
    expect(claimed?.leaseToken).toMatch(/.{10,}/);
    expect((await store.getFileById(fileId))?.status).toBe('processing');
    expect(await store.getNextTask('pre')).toBeNull();

    await store.updateTaskStatus(taskId, 'completed', {
      leaseToken: claimed!.leaseToken,
      resultData: { words: 42 },
    });
    const done = await store.getTask(taskId);
    expect(done).toMatchObject({ status: 'completed', resultData: { words: 42 }, progress: 100 });
    expect((await store.getFileById(fileId))?.status).toBe('completed');
    const progress = await store.getBatchProgress(batchId);
    expect(progress).toMatchObject({ done: true, percent: 100 });
    expect(progress.tasks).toMatchObject({ total: 1, completed: 1, ready: 0, active: 0 });
    expect(progress.files).toMatchObject({ total: 1, completed: 1, pending: 0 });
  });
});
