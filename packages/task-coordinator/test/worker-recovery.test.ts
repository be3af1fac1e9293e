import { createKeyRegistry } from '@covina/cache-keys';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerRegistry, type LeaseLostEvent, WorkerEvictedError } from '../src/index.js';
import { type Child, Opened, spawnScript, until } from './fixtures/harness.js';

const ctx = useRedis();
const opened = new Opened();
const children: Child[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
  await opened.close();
});

const HEARTBEAT_MS = 300;
const LEASE_MS = 20_000;
const workerScript = new URL('./fixtures/worker-process.ts', import.meta.url);

function startWorker(mode: 'hang' | 'quick', liveness = true): Child {
  const child = spawnScript(workerScript, {
    COVINA_REDIS_URL: ctx.url,
    COVINA_PREFIX: ctx.prefix,
    COVINA_TEST_MODE: mode,
    COVINA_TEST_LEASE_MS: String(LEASE_MS),
    COVINA_TEST_HEARTBEAT_MS: String(HEARTBEAT_MS),
    COVINA_TEST_LIVENESS: liveness ? '1' : '0',
  });
  children.push(child);
  return child;
}

/** A victim claims a task and hangs on it; a survivor joins; the victim is killed with SIGKILL. */
async function killMidTask(liveness: boolean) {
  const store = opened.store(ctx.redis, ctx.prefix);
  const victim = startWorker('hang', liveness);
  const victimId = (await victim.next('ready')).id as string;
  const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w' });
  await victim.next('start');
  const survivor = startWorker('quick', liveness);
  await survivor.next('ready');
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  const restarted = await survivor.next('start', 15_000);
  expect(restarted).toMatchObject({ taskId: id, attempt: 2 });
  await until(async () => ((await store.getTask(id))?.status === 'completed' ? true : undefined));
  const [error] = await store.getTaskErrors(id);
  return { victimId, error, elapsedMs: (restarted.at as number) - killedAt };
}

// Child processes start slowly on a busy machine: generous timeouts.
describe('Worker recovery', { timeout: 90_000 }, () => {
  it('registers itself with its worker type and status, and deregisters on close', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const worker = opened.worker({
      store,
      workerType: 'ocr',
      concurrency: 3,
      heartbeatMs: 100,
      version: '2.1.0',
      handler: () => 1,
    });
    await worker.run();
    const registry = createWorkerRegistry({ redis: ctx.client(), prefix: ctx.prefix, namespace: 'docs' });
    const [me] = await until(async () => {
      const workers = await registry.listWorkers();
      return workers[0]?.status ? workers : undefined;
    });
    expect(me).toMatchObject({
      id: worker.id,
      state: 'alive',
      workerTypes: ['ocr'],
      concurrency: 3,
      version: '2.1.0',
      status: { running: 0, completed: 0, failed: 0, paused: false },
    });
    expect(me?.meta).toMatchObject({ pipeline: 'docs' });
    expect(typeof me?.meta.liveness).toBe('string');
    await worker.close();
    expect(await registry.listWorkers()).toEqual([]);
    await registry.close();
  });

  it('runs the task of a worker killed with kill -9 elsewhere long before its lease expires', async () => {
    const { victimId, error, elapsedMs } = await killMidTask(true);
    // Recovered as a lost worker (liveness probe or sweeper), not by the 20 s lease expiry.
    expect(error).toMatchObject({ attempt: 1, error: `worker ${victimId} was lost`, workerId: victimId });
    expect(elapsedMs).toBeLessThan(LEASE_MS / 4);
  });

  it('without the liveness probe, recovers it through the registry once it misses its heartbeats', async () => {
    const { victimId, error, elapsedMs } = await killMidTask(false);
    expect(error).toMatchObject({ attempt: 1, error: `worker ${victimId} was lost` });
    expect(elapsedMs).toBeLessThan(LEASE_MS / 4);
  });

  it('declared dead while alive: aborts and gives back its tasks, then joins again under a new id', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const lost: LeaseLostEvent[] = [];
    const runs: string[] = [];
    const worker = opened.worker({
      store,
      workerType: 'w',
      leaseMs: LEASE_MS,
      heartbeatMs: 100,
      handler: async (task, taskCtx) => {
        runs.push(`${taskCtx.workerId}#${task.attempt}`);
        if (runs.length === 1) {
          await new Promise((resolve) => taskCtx.signal.addEventListener('abort', resolve, { once: true }));
        }
        return taskCtx.workerId;
      },
    });
    worker.on('lease:lost', (e) => lost.push(e));
    await worker.run();
    const firstId = worker.id;
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w' });
    await until(() => (runs.length === 1 ? true : undefined));

    // Its registration vanishes (removed by an operator, or lost with Redis's data).
    const liveSet = createKeyRegistry({ prefix: ctx.prefix }).format('workers', { namespace: 'docs' });
    expect(await ctx.redis.zrem(liveSet, firstId)).toBe(1);

    await until(async () => ((await store.getTask(id))?.status === 'completed' ? true : undefined));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.error).toBeInstanceOf(WorkerEvictedError);
    expect(worker.id).toBe(`${firstId}~1`);
    // Given back (attempt not counted), then run again by the same process under its new id.
    expect(runs).toEqual([`${firstId}#1`, `${firstId}~1#1`]);
    expect(await store.getTask(id)).toMatchObject({ resultData: `${firstId}~1` });
    const registry = createWorkerRegistry({ redis: ctx.client(), prefix: ctx.prefix, namespace: 'docs' });
    expect((await registry.listWorkers()).map((w) => [w.id, w.state])).toEqual([[`${firstId}~1`, 'alive']]);
    await registry.close();
  });
});
