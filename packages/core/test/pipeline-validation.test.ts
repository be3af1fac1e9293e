import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import {
  BatchNotFoundError,
  FileNotFoundError,
  PayloadTooLargeError,
  PipelineStore,
  ValidationError,
} from '../src/pipeline/index.js';
import { batchWithFile, makeStore } from './pipeline/helpers.js';

describe('PipelineStore input validation', () => {
  const ctx = useRedis();

  async function expectField(promise: Promise<unknown>, field: string) {
    await expect(promise).rejects.toThrow(ValidationError);
    await expect(promise).rejects.toMatchObject({ code: 'E_VALIDATION', context: { field } });
  }

  it('rejects bad options with the option named', () => {
    const make = (options: object) => () =>
      new PipelineStore({ redis: ctx.redis, pipeline: 'p', ...options });
    expect(make({ pipeline: 'a:b' })).toThrow(/options.pipeline/);
    expect(make({ pipeline: '{x}' })).toThrow(ValidationError);
    expect(make({ pipeline: '' })).toThrow(ValidationError);
    expect(make({ leaseMs: 0 })).toThrow(/options.leaseMs/);
    expect(make({ maxAttempts: 1.5 })).toThrow(/options.maxAttempts/);
    expect(make({ compression: { algorithm: 'zip' } })).toThrow(/options.compression.algorithm/);
    expect(make({ backoff: { baseMs: 100, maxMs: 10 } })).toThrow(/options.backoff.maxMs/);
    expect(make({ workerId: 'has space' })).toThrow(/options.workerId/);
  });

  it('rejects bad task fields with the field named, and writes nothing', async () => {
    const store = makeStore(ctx);
    const { fileId } = await batchWithFile(store);
    const ok = { taskType: 't', workerType: 'w' };
    await expectField(store.addTaskToBatch({ ...ok, workerType: 'a:b' }), 'task.workerType');
    await expectField(store.addTaskToBatch({ ...ok, workerType: '' }), 'task.workerType');
    await expectField(store.addTaskToBatch({ ...ok, taskType: 'x\ny' }), 'task.taskType');
    await expectField(store.addTaskToBatch({ ...ok, priority: 1.5 }), 'task.priority');
    await expectField(store.addTaskToBatch({ ...ok, priority: 2e9 }), 'task.priority');
    await expectField(store.addTaskToBatch({ ...ok, maxAttempts: 0 }), 'task.maxAttempts');
    await expectField(store.addTaskToBatch({ ...ok, delayMs: -1 }), 'task.delayMs');
    await expectField(store.addTaskToBatch({ ...ok, delayMs: 5, runAt: Date.now() }), 'task.runAt');
    await expectField(store.addTaskToBatch({ ...ok, afterTasks: ['x'] }), 'task.afterTasks');
    await expectField(
      store.addTaskToBatch({ ...ok, dependsOn: 'x' as unknown as string[] }),
      'task.dependsOn',
    );
    await expectField(store.addTaskToBatch({ ...ok, fileId: '{evil}' }), 'task.fileId');
    await expectField(store.addTaskToBatch({ ...ok, payload: { n: 10n } }), 'task.payload');
    await expectField(store.addTaskToBatch({ ...ok, payload: () => 1 }), 'task.payload');
    await expectField(
      store.addTasks([ok, { ...ok, priority: 'high' as unknown as number }]),
      'tasks[1].priority',
    );
    await expectField(
      store.addTasks([
        { ...ok, ref: 'r' },
        { ...ok, ref: 'r' },
      ]),
      'tasks[1].ref',
    );
    await expectField(
      store.addTasks([
        { ...ok, idempotencyKey: 'k' },
        { ...ok, idempotencyKey: 'k' },
      ]),
      'tasks[1].idempotencyKey',
    );
    await expectField(store.addTasks(null as unknown as []), 'tasks');
    await expectField(store.addTaskToBatch(null as unknown as typeof ok), 'task');
    await expect(store.addTaskToBatch({ ...ok, fileId: 'f999' })).rejects.toThrow(FileNotFoundError);
    await expect(store.addTaskToBatch({ ...ok, batchId: 'b999' })).rejects.toThrow(BatchNotFoundError);
    await expect(store.addTaskToBatch({ ...ok, fileId, batchId: 'b999' })).rejects.toMatchObject({
      context: { field: 'task.batchId' },
    });
    expect((await store.getStats()).tasks.total).toBe(0);
  });

  it('refuses payloads and results above the limit', async () => {
    const store = makeStore(ctx, { maxPayloadBytes: 100, maxResultBytes: 200 });
    const big = store.addTaskToBatch({ taskType: 't', workerType: 'w', payload: 'x'.repeat(200) });
    await expect(big).rejects.toThrow(PayloadTooLargeError);
    await expect(big).rejects.toMatchObject({ context: { field: 'task.payload', limit: 100 } });
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload: 'small' });
    const task = await store.getNextTask('w');
    const tooBig = store.updateTaskStatus(id, 'completed', {
      leaseToken: task!.leaseToken,
      resultData: 'y'.repeat(300),
    });
    await expect(tooBig).rejects.toMatchObject({
      code: 'E_PAYLOAD_TOO_LARGE',
      context: { field: 'resultData' },
    });
    expect(await store.getTask(id)).toMatchObject({ status: 'active' });
  });

  it('rejects bad file, claim and status arguments', async () => {
    const store = makeStore(ctx);
    const batchId = await store.createBatch();
    const file = { batchId, path: '/a', hash: 'h', size: 1, mimeType: 'text/plain' };
    await expectField(store.addFileToBatch({ ...file, size: -1 }), 'file.size');
    await expectField(store.addFileToBatch({ ...file, mimeType: 'pdf' }), 'file.mimeType');
    await expectField(store.addFileToBatch({ ...file, path: '' }), 'file.path');
    await expectField(store.addFileToBatch({ ...file, batchId: 'a b' }), 'file.batchId');
    await expect(store.addFileToBatch({ ...file, batchId: 'b404' })).rejects.toThrow(BatchNotFoundError);
    await expectField(store.getNextTask('bad type'), 'workerType');
    await expectField(store.claimTasks('w', 0), 'count');
    await expectField(store.getNextTask('w', { leaseMs: -5 }), 'options.leaseMs');
    await expectField(store.updateTaskStatus('t1', 'waiting', { leaseToken: 'x' }), 'status');
    await expectField(
      store.updateTaskStatus('t1', 'completed', {} as { leaseToken: string }),
      'options.leaseToken',
    );
    await expectField(store.updateFileStatus('f1', 'done' as 'completed'), 'status');
    await expectField(store.updateFileStatus('f1', 'completed', { progress: 101 }), 'options.progress');
    await expect(store.updateFileStatus('f404', 'completed')).rejects.toThrow(FileNotFoundError);
    await expectField(store.listTasks({ status: 'nope' as 'ready' }), 'options.status');
    await expectField(store.listTasks({ cursor: 'abc' }), 'options.cursor');
    await expectField(store.getTask('x:y'), 'taskId');
  });

  it('de-duplicates files by content hash when asked', async () => {
    const store = makeStore(ctx);
    const { batchId, fileId } = await batchWithFile(store, '/one.pdf');
    const again = await store.addFile({
      batchId,
      path: '/copy.pdf',
      hash: 'sha-/one.pdf',
      size: 1,
      mimeType: 'application/pdf',
      dedupe: true,
    });
    expect(again).toEqual({ fileId, duplicate: true });
    const kept = await store.addFile({
      batchId,
      path: '/copy.pdf',
      hash: 'sha-/one.pdf',
      size: 1,
      mimeType: 'application/pdf',
    });
    expect(kept.duplicate).toBe(false);
    expect(kept.fileId).not.toBe(fileId);
    expect((await store.getFileByHash('sha-/one.pdf'))?.id).toBe(fileId);
    expect((await store.getFileByPath('/copy.pdf'))?.id).toBe(kept.fileId);
    expect((await store.getFilesOfBatch(batchId)).map((f) => f.id)).toEqual([fileId, kept.fileId]);
  });
});
