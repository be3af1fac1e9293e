import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../src/pipeline/index.js';
import { batchWithFile, eventually, makeStore } from './pipeline/helpers.js';

describe('PipelineStore events', () => {
  const ctx = useRedis();

  it('publishes every change on job_updates and appends it to the stream, in order', async () => {
    const store = makeStore(ctx);
    const live: PipelineEvent[] = [];
    const subscription = await store.subscribe((event) => live.push(event));
    // Another pipeline on the same channel is filtered out unless asked for.
    const other = makeStore(ctx, { pipeline: 'other' });

    const { batchId, fileId } = await batchWithFile(store);
    const [a, b] = await store.addTasks([
      { ref: 'a', fileId, taskType: 'extract', workerType: 'w' },
      { fileId, taskType: 'index', workerType: 'w', dependsOn: ['a'] },
    ]);
    await other.addTaskToBatch({ taskType: 'noise', workerType: 'w' });
    for (const id of [a, b]) {
      const task = await store.getNextTask('w');
      expect(task?.id).toBe(id);
      await store.reportProgress(id!, task!.leaseToken, 50);
      await store.updateTaskStatus(id!, 'completed', { leaseToken: task!.leaseToken });
    }
    await store.updateFileStatus(fileId, 'completed', { progress: 100 });

    const expected = [
      ['batch:created', undefined],
      ['file:created', undefined],
      ['task:created', a],
      ['task:created', b],
      ['task:started', a],
      ['file:processing', undefined],
      ['task:progress', a],
      ['task:completed', a],
      ['task:ready', b],
      ['task:started', b],
      ['task:progress', b],
      ['task:completed', b],
      ['file:completed', undefined],
      ['batch:completed', undefined],
      ['file:progress', undefined],
    ];
    const stream = await store.readEvents({ count: 1000 });
    expect(stream.map((e) => [e.type, e.taskId])).toEqual(expected);
    expect(stream.every((e) => e.pipeline === 'docs' && typeof e.at === 'number')).toBe(true);
    expect(stream.find((e) => e.type === 'batch:completed')).toMatchObject({
      batchId,
      tasks: 2,
      completed: 2,
    });
    expect(stream.find((e) => e.type === 'task:created')).toMatchObject({
      taskType: 'extract',
      workerType: 'w',
      fileId,
      batchId,
      status: 'ready',
    });

    await eventually(async () => (live.length >= expected.length ? true : undefined));
    expect(live.map((e) => [e.type, e.taskId])).toEqual(expected);
    await subscription.close();

    // Resuming after an id returns only what came later.
    const after = await store.readEvents({ after: stream[11]!.streamId });
    expect(after.map((e) => e.type)).toEqual(['file:completed', 'batch:completed', 'file:progress']);
  });

  it('the events stream stays capped', async () => {
    const store = makeStore(ctx, { eventStreamMaxLength: 100 });
    await store.addTasks(Array.from({ length: 1000 }, () => ({ taskType: 't', workerType: 'w' })));
    const length = await ctx.redis.xlen(store.keys.events);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(400);
  });

  it('waitForWork wakes an idle worker when a task becomes ready, and does not miss an early wake-up', async () => {
    const store = makeStore(ctx);
    const producer = makeStore(ctx, {}, ctx.client());
    await store.watchWork(['w']);
    expect(await store.getNextTask('w')).toBeNull();

    const started = Date.now();
    const waiting = store.waitForWork('w', { timeoutMs: 5000 });
    await producer.addTaskToBatch({ taskType: 't', workerType: 'w' });
    expect(await waiting).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await store.getNextTask('w')).not.toBeNull();

    // A wake-up that arrives while nobody waits is kept for the next wait.
    const witness = ctx.client();
    await witness.subscribe(store.keys.wakeChannel('w'));
    const seen = new Promise((resolve) => witness.once('message', resolve));
    await producer.addTaskToBatch({ taskType: 't', workerType: 'w' });
    await seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.waitForWork('w', { timeoutMs: 0 })).toBe(true);

    // Other worker types do not wake it; a timeout resolves false; so does an abort.
    await producer.addTaskToBatch({ taskType: 't', workerType: 'other' });
    expect(await store.waitForWork('w', { timeoutMs: 100 })).toBe(false);
    const abort = new AbortController();
    const aborted = store.waitForWork('w', { timeoutMs: 5000, signal: abort.signal });
    abort.abort();
    expect(await aborted).toBe(false);
    await store.close();
  });

  it('waitForWork returns when the next delayed task is due', async () => {
    const store = makeStore(ctx);
    await store.addTaskToBatch({ taskType: 't', workerType: 'w', delayMs: 150 });
    expect(await store.getNextTask('w')).toBeNull();
    const started = Date.now();
    await store.waitForWork('w', { timeoutMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await eventually(async () => (await store.getNextTask('w')) ?? undefined)).toBeTruthy();
    await store.close();
  });
});
