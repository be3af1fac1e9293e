import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '@covina/core';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Coordinator } from '../src/index.js';
import { Opened, until } from './fixtures/harness.js';

const ctx = useRedis();
const opened = new Opened();
const coordinators: Coordinator[] = [];
afterEach(async () => {
  await opened.close();
  await Promise.all(coordinators.splice(0).map((c) => c.close()));
});

function setup() {
  const store = opened.store(ctx.redis, ctx.prefix);
  const coordinator = new Coordinator({ store });
  coordinators.push(coordinator);
  return { store, coordinator };
}

describe('Coordinator', () => {
  it('submitTask adds a task (worker type defaults to the task type) and names the field at fault', async () => {
    const { store, coordinator } = setup();
    const id = await coordinator.submitTask({
      taskType: 'ocr',
      taskData: { document_uuid: 'd-1' },
      priority: 3,
    });
    expect(await store.getTask(id)).toMatchObject({
      taskType: 'ocr',
      workerType: 'ocr',
      priority: 3,
      status: 'ready',
      payload: { document_uuid: 'd-1' },
    });
    const again = await coordinator.submitTask({ taskType: 'ocr', idempotencyKey: 'k1' });
    expect(await coordinator.submitTask({ taskType: 'ocr', idempotencyKey: 'k1' })).toBe(again);

    const refused: Array<[object, string]> = [
      [{ taskType: 'o c r' }, 'taskType'],
      [{ taskType: 'ocr', workerType: '' }, 'workerType'],
      [{ taskType: 'ocr', taskData: { big: 1n } }, 'taskData'],
      [{ taskType: 'ocr', taskData: () => 1 }, 'taskData'],
      [{ taskType: 'ocr', priority: 1.5 }, 'task.priority'],
    ];
    for (const [input, field] of refused) {
      const error = await coordinator.submitTask(input as never).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).context.field).toBe(field);
    }
    expect((await store.getStats()).tasks.total).toBe(2);
  });

  it('getClusterStats: workers alive by type, tasks by status per type, throughput, oldest ready task', async () => {
    const { store, coordinator } = setup();
    const handler = async () => 'ok';
    const workers = [
      opened.worker({ store, workerType: 'ocr', concurrency: 2, heartbeatMs: 100, leaseMs: 3_000, handler }),
      opened.worker({ store, workerType: 'ocr', concurrency: 3, heartbeatMs: 100, leaseMs: 3_000, handler }),
      opened.worker({ store, workerType: 'nlp', concurrency: 1, heartbeatMs: 100, leaseMs: 3_000, handler }),
    ];
    await Promise.all(workers.map((w) => w.run()));
    for (const w of workers) w.pause();

    const first = await coordinator.submitTask({ taskType: 'ocr', priority: 1 });
    await sleep(300);
    await coordinator.submitTask({ taskType: 'ocr', priority: 5 });
    await coordinator.submitTask({ taskType: 'ocr' });
    await coordinator.submitTask({ taskType: 'translate' });

    const stats = await coordinator.getClusterStats();
    expect(stats.pipeline).toBe('docs');
    expect(stats.workers).toEqual({
      alive: 3,
      dead: 0,
      byType: {
        ocr: { alive: 2, dead: 0, concurrency: 5, running: 0 },
        nlp: { alive: 1, dead: 0, concurrency: 1, running: 0 },
      },
    });
    expect(stats.tasks).toMatchObject({ ready: 4, total: 4 });
    expect(stats.tasksByType.ocr).toMatchObject({ ready: 3, completed: 0 });
    expect(stats.tasksByType.translate).toMatchObject({ ready: 1 });
    // The oldest ready task is the first one submitted, whatever the priorities.
    expect(stats.oldestReady?.taskId).toBe(first);
    expect(stats.oldestReady?.ageMs).toBeGreaterThanOrEqual(250);
    expect(stats.oldestReadyByType.ocr?.taskId).toBe(first);
    expect(stats.oldestReadyByType.translate?.ageMs).toBeLessThan(stats.oldestReady!.ageMs);

    for (const w of workers) w.resume();
    const after = await until(async () => {
      const s = await coordinator.getClusterStats();
      return s.tasksByType.ocr?.completed === 3 ? s : undefined;
    });
    expect(after.throughput.completedPerMinute).toBe(3);
    expect(after.oldestReadyByType.ocr).toBeUndefined();
    expect(after.oldestReady?.taskId).toBeDefined(); // translate has no worker: still waiting

    await workers[2]!.close();
    const gone = await coordinator.getClusterStats();
    expect(gone.workers.byType.nlp).toBeUndefined();
  });

  it('lists dead letters, retries one, and purges the rest', async () => {
    const { store, coordinator } = setup();
    let healed = false;
    const worker = opened.worker<string>({
      store,
      workerType: 'w',
      heartbeatMs: 100,
      leaseMs: 3_000,
      handler: async (task) => {
        if (!healed || task.payload === 'hopeless') throw new Error(`cannot do ${task.payload}`);
        return 'fine now';
      },
    });
    await worker.run();
    const a = await coordinator.submitTask({ taskType: 'w', taskData: 'fixable', maxAttempts: 1 });
    const b = await coordinator.submitTask({ taskType: 'w', taskData: 'hopeless', maxAttempts: 1 });
    const child = await coordinator.submitTask({ taskType: 'w2', dependsOn: [b] });
    await until(async () => ((await store.getStats()).deadLetters === 2 ? true : undefined));

    const page = await coordinator.listDeadLetters();
    expect(page.tasks.map((t) => t.id).sort()).toEqual([a, b].sort());
    expect(page.tasks.find((t) => t.id === a)?.errors).toMatchObject([
      { attempt: 1, error: 'cannot do fixable' },
    ]);
    expect((await store.getTask(child))?.status).toBe('cancelled');

    healed = true;
    expect(await coordinator.retryDeadLetter(a)).toEqual({ revived: 0 });
    await until(async () => ((await store.getTask(a))?.status === 'completed' ? true : undefined));

    expect(await coordinator.purgeDeadLetters()).toEqual({ purged: 1 });
    expect((await coordinator.listDeadLetters()).tasks).toEqual([]);
    const [purged, descendant] = await store.getTasks([b, child]);
    expect(purged).toMatchObject({ status: 'cancelled', error: 'purged from the dead-letter queue' });
    expect(descendant?.status).toBe('cancelled');
    expect((await coordinator.getClusterStats()).deadLetters).toBe(0);
    expect(await coordinator.purgeDeadLetters()).toEqual({ purged: 0 });
  });
});
