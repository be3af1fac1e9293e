import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../src/pipeline/index.js';
import { batchWithFile, eventually, makeStore } from './pipeline/helpers.js';

// Task events are assembled from strings in Lua (includes/events.lua), not encoded by cjson:
// every field of each kind must be there, with its JSON type, and nothing else.
describe('PipelineStore task event fields', () => {
  const ctx = useRedis();

  const fields = (event: StreamEvent | undefined) => {
    const { streamId: _, ...rest } = event!;
    return rest;
  };

  it('started, retrying, failed, cancelled and completed events carry exactly their fields', async () => {
    const store = makeStore(ctx, { backoff: { baseMs: 10, maxMs: 20 } });
    const { batchId, fileId } = await batchWithFile(store);
    // A task type JSON must escape; a worker id with every key-safe punctuation mark.
    const taskType = 'ty"pe\\ é';
    const [parent, child] = await store.addTasks([
      { ref: 'p', fileId, taskType, workerType: 'w', maxAttempts: 2 },
      { fileId, taskType: 'next', workerType: 'w', dependsOn: ['p'] },
    ]);
    const other = await store.addTaskToBatch({ taskType: 'plain', workerType: 'v' });
    const workerId = 'host-1_a.b~c/d@e+f=g';

    const first = (await store.claimTasks('w', 5, { workerId }))[0]!;
    expect(first.id).toBe(parent);
    await store.updateTaskStatus(parent!, 'failed', {
      leaseToken: first.leaseToken,
      error: new Error('once "quoted"'),
    });
    const second = await eventually(async () => (await store.claimTasks('w', 5, { workerId }))[0]);
    expect(second.id).toBe(parent);
    await store.updateTaskStatus(parent!, 'failed', {
      leaseToken: second.leaseToken,
      error: new Error('twice'),
    });
    const third = (await store.claimTasks('v', 1, { workerId: 'w2' }))[0]!;
    await store.updateTaskStatus(other, 'completed', { leaseToken: third.leaseToken, resultData: { ok: 1 } });

    const events = (await store.readEvents({ count: 1000 })).filter((e) => e.type.startsWith('task:'));
    const of = (type: string, taskId: string | undefined, nth = 0) =>
      fields(events.filter((e) => e.type === type && e.taskId === taskId)[nth]);
    const at = expect.any(Number);
    const base = { pipeline: 'docs', at, taskType, workerType: 'w', fileId, batchId, taskId: parent };

    expect(of('task:started', parent)).toEqual({
      ...base,
      type: 'task:started',
      status: 'active',
      attempt: 1,
      workerId,
    });
    expect(of('task:retrying', parent)).toEqual({
      ...base,
      type: 'task:retrying',
      status: 'delayed',
      attempt: 1,
      error: 'once "quoted"',
      retryInMs: expect.any(Number),
    });
    expect(of('task:started', parent, 1)).toEqual({
      ...base,
      type: 'task:started',
      status: 'active',
      attempt: 2,
      workerId,
    });
    expect(of('task:failed', parent)).toEqual({
      ...base,
      type: 'task:failed',
      status: 'failed',
      attempt: 2,
      error: 'twice',
    });
    expect(of('task:cancelled', child)).toEqual({
      ...base,
      taskId: child,
      taskType: 'next',
      type: 'task:cancelled',
      status: 'cancelled',
      attempt: 0,
      error: `parent ${parent} failed`,
      cancelledBy: parent,
    });
    expect(of('task:started', other)).toEqual({
      type: 'task:started',
      pipeline: 'docs',
      at,
      taskId: other,
      taskType: 'plain',
      workerType: 'v',
      status: 'active',
      attempt: 1,
      workerId: 'w2',
    });
    expect(of('task:completed', other)).toEqual({
      type: 'task:completed',
      pipeline: 'docs',
      at,
      taskId: other,
      taskType: 'plain',
      workerType: 'v',
      status: 'completed',
      attempt: 1,
    });
  });
});
