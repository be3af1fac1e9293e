import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { PartitionedPipeline, ValidationError } from '../src/pipeline/index.js';

describe('PartitionedPipeline', () => {
  const ctx = useRedis();
  const make = (partitions = 4) =>
    new PartitionedPipeline({
      redis: ctx.redis,
      pipeline: 'docs',
      prefix: ctx.prefix,
      partitions,
      leaseMs: 5000,
    });

  it('routes files by hash, tasks with their file, and every call by id', async () => {
    const pipeline = make(4);
    const batchId = await pipeline.createBatch({ name: 'inbox' });
    const files = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        pipeline.addFileToBatch({
          batchId,
          path: `/in/${i}.pdf`,
          hash: `h${i}`,
          size: i,
          mimeType: 'application/pdf',
        }),
      ),
    );
    const used = new Set(files.map((id) => id.split('.')[0]));
    expect(used.size).toBeGreaterThan(1);
    expect((await pipeline.getFileByHash('h3'))?.id).toBe(files[3]);
    expect((await pipeline.getFileByPath('/in/5.pdf'))?.id).toBe(files[5]);

    const ids = await pipeline.addTasks(
      files.flatMap((fileId) => [
        { fileId, taskType: 'extract', workerType: 'w' },
        { fileId, taskType: 'index', workerType: 'w', afterTasks: ['extract'] },
      ]),
    );
    ids.forEach((id, i) => {
      expect(id.split('.')[0]).toBe(files[Math.floor(i / 2)]!.split('.')[0]);
    });
    expect((await pipeline.getTask(ids[1]!))?.dependsOn).toEqual([ids[0]]);

    // Claims spread over the partitions; everything runs once, each file's tasks in order.
    const done: string[] = [];
    for (let round = 0; round < 100; round++) {
      const batch = await pipeline.claimTasks('w', 5);
      if (batch.length === 0) break;
      for (const task of batch) {
        expect(done).not.toContain(task.id);
        if (task.taskType === 'index') expect(done).toContain(task.dependsOn[0]);
        await pipeline.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
        done.push(task.id);
      }
    }
    expect(done.sort()).toEqual([...ids].sort());
    const progress = await pipeline.getBatchProgress(batchId);
    expect(progress).toMatchObject({
      done: true,
      percent: 100,
      tasks: { total: 32, completed: 32 },
      files: { total: 16 },
    });
    const stats = await pipeline.getStats();
    expect(stats).toMatchObject({
      pipeline: 'docs',
      tasks: { completed: 32, total: 32 },
      files: { completed: 16 },
    });
    expect(stats.throughput.completedLastMinute).toBe(32);
  });

  it('keeps related tasks together and refuses dependencies across partitions', async () => {
    const pipeline = make(3);
    const batchId = await pipeline.createBatch();
    const a = await pipeline.addFileToBatch({
      batchId,
      path: '/a',
      hash: 'ha',
      size: 1,
      mimeType: 'text/plain',
      partitionKey: 'doc-1',
    });
    const b = await pipeline.addFileToBatch({
      batchId,
      path: '/b',
      hash: 'hb',
      size: 1,
      mimeType: 'text/plain',
      partitionKey: 'doc-1',
    });
    expect(a.split('.')[0]).toBe(b.split('.')[0]);
    const [x, y, z] = await pipeline.addTasks([
      { ref: 'x', fileId: a, taskType: 'x', workerType: 'w' },
      { ref: 'y', fileId: b, taskType: 'y', workerType: 'w', dependsOn: ['x'] },
      { taskType: 'z', workerType: 'w', dependsOn: ['y'] },
    ]);
    expect(new Set([x, y, z].map((id) => id!.split('.')[0])).size).toBe(1);

    let other = '';
    for (let i = 0; i < 50 && !other; i++) {
      const id = await pipeline.addFileToBatch({
        batchId,
        path: `/o${i}`,
        hash: `o${i}`,
        size: 1,
        mimeType: 'text/plain',
      });
      if (id.split('.')[0] !== a.split('.')[0]) other = id;
    }
    const crossing = pipeline.addTaskToBatch({
      fileId: other,
      taskType: 'bad',
      workerType: 'w',
      dependsOn: [x!],
    });
    await expect(crossing).rejects.toThrow(ValidationError);
    await expect(crossing).rejects.toMatchObject({ context: { field: 'tasks[0].dependsOn[0]' } });
    await expect(pipeline.getTask('t1')).resolves.toBeNull();
    await expect(pipeline.updateFileStatus('f1', 'completed')).rejects.toThrow(ValidationError);
  });

  it('getNextTask and waitForWork see every partition', async () => {
    const pipeline = make(3);
    const ids = await pipeline.addTasks(
      Array.from({ length: 6 }, () => ({ taskType: 't', workerType: 'w' })),
    );
    expect(new Set(ids.map((id) => id.split('.')[0])).size).toBe(3);
    const seen: string[] = [];
    for (let task = await pipeline.getNextTask('w'); task; task = await pipeline.getNextTask('w'))
      seen.push(task.id);
    expect(seen.sort()).toEqual([...ids].sort());

    const waiting = pipeline.waitForWork('w', { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const producer = new PartitionedPipeline({
      redis: ctx.client(),
      pipeline: 'docs',
      prefix: ctx.prefix,
      partitions: 3,
    });
    await producer.addTaskToBatch({ taskType: 't', workerType: 'w' });
    expect(await waiting).toBe(true);
    expect(await pipeline.waitForWork('w', { timeoutMs: 50 })).toBe(false);
    await pipeline.close();
  });
});
