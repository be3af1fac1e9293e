import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import {
  DependencyCycleError,
  InvalidStateError,
  type PipelineStore,
  TaskNotFoundError,
  ValidationError,
} from '../src/pipeline/index.js';
import { batchWithFile, makeStore } from './pipeline/helpers.js';

/** Claims and completes every ready task of `workerType`, returning their ids in order. */
async function drain(store: PipelineStore, workerType = 'w'): Promise<string[]> {
  const done: string[] = [];
  for (let task = await store.getNextTask(workerType); task; task = await store.getNextTask(workerType)) {
    await store.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
    done.push(task.id);
  }
  return done;
}

async function failForGood(store: PipelineStore, id: string) {
  const task = await store.getNextTask('w');
  expect(task?.id).toBe(id);
  await store.updateTaskStatus(id, 'failed', {
    leaseToken: task!.leaseToken,
    error: 'boom',
    retryable: false,
  });
}

describe('PipelineStore dependencies', () => {
  const ctx = useRedis();

  it('afterTasks chains the tasks of a file: each waits for the previous type', async () => {
    const store = makeStore(ctx);
    const { fileId } = await batchWithFile(store);
    const a = await store.addTaskToBatch({ fileId, taskType: 'preprocessing', workerType: 'w', priority: 5 });
    const b = await store.addTaskToBatch({
      fileId,
      taskType: 'nlp_processing',
      workerType: 'w',
      priority: 5,
      afterTasks: ['preprocessing'],
    });
    expect(await store.getTask(b)).toMatchObject({
      status: 'waiting',
      dependsOn: [a],
      pendingDependencies: 1,
    });
    expect((await store.getTask(a))?.dependents).toEqual([b]);
    expect(await drain(store)).toEqual([a, b]);
  });

  it('diamond: the join runs once, after both branches', async () => {
    const store = makeStore(ctx);
    const [top, left, right, join] = await store.addTasks([
      { ref: 'top', taskType: 'top', workerType: 'w' },
      { ref: 'left', taskType: 'left', workerType: 'w', dependsOn: ['top'] },
      { ref: 'right', taskType: 'right', workerType: 'w', dependsOn: ['top'] },
      { taskType: 'join', workerType: 'w', dependsOn: ['left', 'right'] },
    ]);
    const order = await drain(store);
    expect(order).toHaveLength(4);
    expect(order[0]).toBe(top);
    expect(order.slice(1, 3).sort()).toEqual([left, right].sort());
    expect(order[3]).toBe(join);
  });

  it('fan-in across files and fan-out to many children', async () => {
    const store = makeStore(ctx);
    const batchId = await store.createBatch();
    const files = await Promise.all(
      [1, 2, 3].map((i) =>
        store.addFileToBatch({ batchId, path: `/f${i}`, hash: `h${i}`, size: i, mimeType: 'text/plain' }),
      ),
    );
    const parents = await store.addTasks(
      files.map((fileId) => ({ fileId, taskType: 'extract', workerType: 'w' })),
    );
    const merge = await store.addTaskToBatch({
      batchId,
      taskType: 'merge',
      workerType: 'w',
      dependsOn: parents,
    });
    const children = await store.addTasks(
      Array.from({ length: 50 }, (_, i) => ({
        batchId,
        taskType: `index-${i}`,
        workerType: 'w',
        dependsOn: [merge],
      })),
    );
    expect((await store.getTask(merge))?.pendingDependencies).toBe(3);
    const order = await drain(store);
    expect(order.slice(0, 3).sort()).toEqual([...parents].sort());
    expect(order[3]).toBe(merge);
    expect(order.slice(4).sort()).toEqual([...children].sort());
    expect(await store.getBatchProgress(batchId)).toMatchObject({
      done: true,
      tasks: { completed: 54, total: 54 },
    });
  });

  it('tasks of one call may come in any order; afterTasks matches tasks of the same call', async () => {
    const store = makeStore(ctx);
    const { fileId } = await batchWithFile(store);
    const [index, chunk, extract] = await store.addTasks([
      { fileId, taskType: 'index', workerType: 'w', afterTasks: ['chunk'] },
      { fileId, taskType: 'chunk', workerType: 'w', afterTasks: ['extract'] },
      { fileId, taskType: 'extract', workerType: 'w' },
    ]);
    expect(await drain(store)).toEqual([extract, chunk, index]);
    expect((await store.getTasksForFile(fileId)).map((t) => t.taskType)).toEqual([
      'extract',
      'chunk',
      'index',
    ]);
  });

  it('rejects cycles and unknown parents before writing anything', async () => {
    const store = makeStore(ctx);
    const { fileId } = await batchWithFile(store);
    const cycle = store.addTasks([
      { ref: 'a', taskType: 'a', workerType: 'w', dependsOn: ['c'] },
      { ref: 'b', taskType: 'b', workerType: 'w', dependsOn: ['a'] },
      { ref: 'c', taskType: 'c', workerType: 'w', dependsOn: ['b'] },
    ]);
    await expect(cycle).rejects.toThrow(DependencyCycleError);
    await expect(cycle).rejects.toMatchObject({
      context: { cycle: expect.arrayContaining(['tasks[0] (a)']) },
    });
    await expect(
      store.addTasks([
        { fileId, taskType: 'x', workerType: 'w', afterTasks: ['y'] },
        { fileId, taskType: 'y', workerType: 'w', afterTasks: ['x'] },
      ]),
    ).rejects.toThrow(DependencyCycleError);
    await expect(
      store.addTasks([
        { taskType: 'ok', workerType: 'w' },
        { taskType: 'orphan', workerType: 'w', dependsOn: ['t999'] },
      ]),
    ).rejects.toMatchObject({
      code: 'E_TASK_NOT_FOUND',
      context: { taskId: 't999', field: 'tasks[1].dependsOn' },
    });
    await expect(
      store.addTaskToBatch({ fileId, taskType: 'late', workerType: 'w', afterTasks: ['nothing'] }),
    ).rejects.toThrow(TaskNotFoundError);
    await expect(
      store.addTaskToBatch({ taskType: 'self', workerType: 'w', ref: 's', dependsOn: ['s'] }),
    ).rejects.toThrow(ValidationError);
    expect((await store.getStats()).tasks.total).toBe(0);
    expect(await store.getTasksForFile(fileId)).toEqual([]);
  });

  it('a parent failed for good cancels its descendants with the reason; retrying it revives them', async () => {
    const store = makeStore(ctx);
    const { batchId, fileId } = await batchWithFile(store);
    const [a, b, c, d] = await store.addTasks([
      { ref: 'a', fileId, taskType: 'a', workerType: 'w' },
      { ref: 'b', fileId, taskType: 'b', workerType: 'w', dependsOn: ['a'] },
      { ref: 'c', fileId, taskType: 'c', workerType: 'w', dependsOn: ['a'] },
      { fileId, taskType: 'd', workerType: 'w', dependsOn: ['b', 'c'] },
    ]);
    await failForGood(store, a!);
    for (const id of [b, c, d]) {
      expect(await store.getTask(id!)).toMatchObject({
        status: 'cancelled',
        cancelledBy: a,
        error: `parent ${a} failed`,
      });
    }
    expect((await store.getFileById(fileId))?.status).toBe('failed');
    expect(await store.getBatchProgress(batchId)).toMatchObject({
      done: true,
      tasks: { failed: 1, cancelled: 3 },
    });

    // A task added under a failed parent is cancelled at once.
    const late = await store.addTaskToBatch({ fileId, taskType: 'e', workerType: 'w', dependsOn: [d!] });
    expect(await store.getTask(late)).toMatchObject({ status: 'cancelled', cancelledBy: a });
    await expect(store.retryTask(d!)).rejects.toThrow(InvalidStateError);

    expect(await store.retryTask(a!)).toEqual({ revived: 4 });
    expect(await store.getTask(d!)).toMatchObject({ status: 'waiting', pendingDependencies: 2 });
    expect((await store.getBatchProgress(batchId)).done).toBe(false);
    const order = await drain(store);
    expect(order[0]).toBe(a);
    expect(order.slice(-2)).toEqual([d, late]);
    expect((await store.getFileById(fileId))?.status).toBe('completed');
    expect((await store.listDeadLetters()).tasks).toEqual([]);
  });

  it('cancelTask cascades to descendants and takes an active task from its worker', async () => {
    const store = makeStore(ctx);
    const [root, child, grandchild, other] = await store.addTasks([
      { ref: 'r', taskType: 'root', workerType: 'w' },
      { ref: 'c', taskType: 'child', workerType: 'w', dependsOn: ['r'] },
      { taskType: 'grandchild', workerType: 'w', dependsOn: ['c'] },
      { taskType: 'other', workerType: 'w' },
    ]);
    const claimed = await store.getNextTask('w');
    expect(claimed?.id).toBe(root);
    expect(await store.cancelTask(root!, { reason: 'user asked' })).toEqual({
      cancelled: true,
      descendants: 2,
    });
    expect(await store.getTask(root!)).toMatchObject({ status: 'cancelled', error: 'user asked' });
    expect(await store.getTask(grandchild!)).toMatchObject({
      status: 'cancelled',
      error: `parent ${root} cancelled`,
    });
    expect((await store.getTask(child!))?.cancelledBy).toBe(root);
    await expect(
      store.updateTaskStatus(root!, 'completed', { leaseToken: claimed!.leaseToken }),
    ).rejects.toMatchObject({ code: 'E_LEASE_LOST', context: { status: 'cancelled' } });
    expect(await store.cancelTask(root!)).toEqual({ cancelled: false, descendants: 0 });
    // The cancelled ready task's queue entry is skipped.
    expect(await drain(store)).toEqual([other]);
  });
});
