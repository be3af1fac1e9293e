import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { makeStore } from './pipeline/helpers.js';

describe('PipelineStore priority', () => {
  const ctx = useRedis();

  it('runs higher priorities first and equal priorities in insertion order', async () => {
    const store = makeStore(ctx);
    const priorities = [0, 5, -2, 5, 10, 0, 5, -2, 10, 1];
    const ids = await store.addTasks(
      priorities.map((priority, i) => ({ taskType: 'extract', workerType: 'pre', priority, payload: { i } })),
    );
    const expected = priorities
      .map((priority, i) => ({ priority, i }))
      .sort((a, b) => b.priority - a.priority || a.i - b.i)
      .map(({ i }) => ids[i]);

    const claimed: string[] = [];
    for (let task = await store.getNextTask('pre'); task; task = await store.getNextTask('pre'))
      claimed.push(task.id);
    expect(claimed).toEqual(expected);
  });

  it('claimTasks takes several at once across priorities, in order, and only of its worker type', async () => {
    const store = makeStore(ctx);
    const low = await store.addTasks(
      [1, 2, 3].map(() => ({ taskType: 't', workerType: 'pre', priority: 1 })),
    );
    const high = await store.addTasks([1, 2].map(() => ({ taskType: 't', workerType: 'pre', priority: 9 })));
    await store.addTaskToBatch({ taskType: 't', workerType: 'other', priority: 100 });

    const first = await store.claimTasks('pre', 4);
    expect(first.map((t) => t.id)).toEqual([...high, ...low.slice(0, 2)]);
    expect(new Set(first.map((t) => t.leaseToken)).size).toBe(1);
    const rest = await store.claimTasks('pre', 10);
    expect(rest.map((t) => t.id)).toEqual([low[2]]);
    expect(await store.claimTasks('pre', 10)).toEqual([]);
    expect((await store.getNextTask('other'))?.priority).toBe(100);
  });

  it('a released task goes back to the head of its priority, its attempt not counted', async () => {
    const store = makeStore(ctx);
    const [a, b] = await store.addTasks([
      { taskType: 't', workerType: 'pre' },
      { taskType: 't', workerType: 'pre' },
    ]);
    const first = await store.getNextTask('pre');
    expect(first?.id).toBe(a);
    await store.releaseTask(a!, first!.leaseToken);
    const again = await store.getNextTask('pre');
    expect(again).toMatchObject({ id: a, attempt: 1 });
    expect((await store.getNextTask('pre'))?.id).toBe(b);
  });
});
