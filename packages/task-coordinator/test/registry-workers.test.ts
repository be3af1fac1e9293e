import { setTimeout as sleep } from 'node:timers/promises';
import { useRedis } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWorkerRegistry,
  InvalidOptionError,
  WorkerEvictedError,
  WorkerIdTakenError,
  type WorkerRecord,
  type WorkerRegistry,
} from '../src/index.js';

const ctx = useRedis();
const opened: WorkerRegistry[] = [];

function registry(redis: Redis = ctx.client()): WorkerRegistry {
  const made = createWorkerRegistry({ redis, prefix: ctx.prefix, namespace: 'docs' });
  opened.push(made);
  return made;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

describe('worker registry', () => {
  it('lists a registered worker as alive with its description, status and heartbeat age', async () => {
    const workers = registry();
    const me = await workers.registerWorker({
      host: 'node-a',
      pid: 4242,
      workerTypes: ['pre', 'nlp'],
      concurrency: 4,
      version: '1.2.0',
      heartbeatMs: 1_000,
      meta: { region: 'eu' },
    });
    expect(me.id).toMatch(/^node-a-4242-[0-9a-f]{8}$/);
    me.setStatus({ running: 3 });
    await me.heartbeat();
    const [record] = await workers.listWorkers();
    expect(record).toMatchObject({
      id: me.id,
      host: 'node-a',
      pid: 4242,
      workerTypes: ['pre', 'nlp'],
      concurrency: 4,
      version: '1.2.0',
      heartbeatMs: 1_000,
      deadAfterMs: 3_000,
      meta: { region: 'eu' },
      state: 'alive',
      recovery: 'none',
      missedHeartbeats: 0,
      status: { running: 3 },
      registeredAt: me.registeredAt,
    } satisfies Partial<WorkerRecord>);
    expect(record!.lastHeartbeatAgeMs).toBeLessThan(1_000);
    expect(await workers.findDeadWorkers()).toEqual([]);

    await me.close();
    expect(await workers.listWorkers()).toEqual([]);
    expect(me.active).toBe(false);
  });

  it('refuses an id that is still registered, and bad options, with typed errors', async () => {
    const workers = registry();
    const first = await workers.registerWorker({ id: 'ocr-1' });
    const error = await workers.registerWorker({ id: 'ocr-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerIdTakenError);
    expect((error as WorkerIdTakenError).context).toEqual({
      workerId: 'ocr-1',
      namespace: 'docs',
      state: 'alive',
    });
    await expect(workers.registerWorker({ id: 'has:colon' })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      context: { option: 'id' },
    });
    await expect(workers.registerWorker({ heartbeatMs: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(workers.registerWorker({ concurrency: 1.5 })).rejects.toMatchObject({
      context: { option: 'concurrency' },
    });
    expect(() => createWorkerRegistry({ redis: ctx.redis, namespace: 'a b' })).toThrow(/namespace/);
    await first.close();
    // A cleanly closed id can be registered again.
    const again = await workers.registerWorker({ id: 'ocr-1' });
    await again.close();
  });

  it('reports a silent worker dead after its missed heartbeats, and recovers it exactly once', async () => {
    const silentClient = ctx.client();
    const silent = await registry(silentClient).registerWorker({ heartbeatMs: 50, workerTypes: ['nlp'] });
    silentClient.disconnect(); // its heartbeats no longer reach Redis
    const observers = [registry(), registry(), registry()];
    const dead = await until(async () => (await observers[0]!.findDeadWorkers())[0]);
    expect(dead).toMatchObject({ id: silent.id, state: 'dead', recovery: 'pending', workerTypes: ['nlp'] });
    expect(dead.missedHeartbeats).toBeGreaterThanOrEqual(3);

    const calls: string[] = [];
    const results = await Promise.all(
      observers.map((r) =>
        r.sweep({
          onWorkerDead: async (worker) => {
            calls.push(worker.id);
            await sleep(20);
          },
        }),
      ),
    );
    const again = await observers[1]!.sweep({ onWorkerDead: (w) => void calls.push(w.id) });
    expect(calls).toEqual([silent.id]);
    expect(results.flatMap((r) => r.recovered.map((w) => w.id))).toEqual([silent.id]);
    expect(again).toEqual({ swept: true, recovered: [], failed: [] });

    const [record] = await observers[2]!.listWorkers();
    expect(record).toMatchObject({ id: silent.id, state: 'dead', recovery: 'done', recoveryAttempts: 1 });
    expect(record!.recoveredAt).toBeGreaterThanOrEqual(record!.diedAt!);
    expect(await observers[2]!.findDeadWorkers()).toEqual([]);
  });

  it('offers a dead worker again when onWorkerDead fails', async () => {
    const silentClient = ctx.client();
    const silent = await registry(silentClient).registerWorker({ heartbeatMs: 20 });
    silentClient.disconnect();
    const sweeper = registry();
    await until(async () => (await sweeper.findDeadWorkers())[0]);
    const failing = await sweeper.sweep({
      claimMs: 1_500,
      onWorkerDead: () => {
        throw new Error('store unavailable');
      },
    });
    expect(failing.failed.map((f) => [f.worker.id, (f.error as Error).message])).toEqual([
      [silent.id, 'store unavailable'],
    ]);
    expect((await sweeper.findDeadWorkers())[0]).toMatchObject({ recovery: 'in-progress' });
    expect((await sweeper.sweep({ onWorkerDead: () => {} })).recovered).toEqual([]); // still claimed
    await sleep(1_600);
    const retried = await sweeper.sweep({ onWorkerDead: () => {} });
    expect(retried.recovered.map((w) => [w.id, w.recoveryAttempts])).toEqual([[silent.id, 2]]);
  });

  it('a sweeper killed mid-sweep blocks other sweeps only for lockMs, not for claimMs', async () => {
    const silentClient = ctx.client();
    const first = await registry(silentClient).registerWorker({ heartbeatMs: 20 });
    silentClient.disconnect();
    const doomedClient = ctx.client();
    const doomed = registry(doomedClient);
    await until(async () => (await doomed.findDeadWorkers())[0]);
    // The doomed sweeper claims the dead worker, then its process "dies" in the middle of
    // onWorkerDead: its connection is gone, so nothing renews or releases the sweep lock.
    let resolveHang: () => void = () => {};
    const hung = doomed.sweep({
      claimMs: 30_000,
      lockMs: 1_500,
      onWorkerDead: () => {
        doomedClient.disconnect();
        return new Promise<void>((resolve) => {
          resolveHang = resolve;
        });
      },
    });
    await until(async () => (doomedClient.status === 'end' ? true : undefined));
    const other = registry();
    expect((await other.sweep({ lockMs: 1_500 })).swept).toBe(false); // the lock is still held
    // A second silent worker dies meanwhile; the other sweeper recovers it once the lock lapses
    // (after ~lockMs), while the first stays reserved for its claim (claimMs, 30 s).
    const secondClient = ctx.client();
    const second = await registry(secondClient).registerWorker({ heartbeatMs: 20 });
    secondClient.disconnect();
    const sweep = await until(async () => {
      const r = await other.sweep({ lockMs: 1_500, onWorkerDead: () => {} });
      return r.swept && r.recovered.length > 0 ? r : undefined;
    }, 15_000); // well under claimMs: the lock, not the claim, held the other sweeper up
    expect(sweep.recovered.map((w) => w.id)).toEqual([second.id]);
    const records = await other.listWorkers();
    expect(records.find((w) => w.id === first.id)).toMatchObject({ state: 'dead', recovery: 'in-progress' });
    resolveHang();
    await hung.catch(() => {});
  });

  it('evicts a worker that was declared dead while it stalled, through its signal', async () => {
    const stalledClient = ctx.client();
    const workers = registry(stalledClient);
    const stalled = await workers.registerWorker({ heartbeatMs: 50 });
    // A blocking command holds the worker's connection, until the sweeper has declared it dead
    // and recovered it: its heartbeats queue up behind it meanwhile.
    const blocking = stalledClient.blpop(ctx.key('stall'), 30);
    const sweeper = registry();
    await until(async () => ((await sweeper.sweep()).recovered.length > 0 ? true : undefined), 20_000);
    await ctx.redis.lpush(ctx.key('stall'), 'go');
    await blocking;
    const reason = await until(async () => (stalled.signal.aborted ? stalled.signal.reason : undefined));
    expect(reason).toBeInstanceOf(WorkerEvictedError);
    expect(stalled.active).toBe(false);
    await expect(stalled.heartbeat()).rejects.toMatchObject({ code: 'E_WORKER_EVICTED' });
    await stalled.close(); // nothing left to deregister; does not throw
    // Its id is free again once recovered.
    const back = await workers.registerWorker({ id: stalled.id, heartbeatMs: 50 });
    expect(back.active).toBe(true);
  });

  it('forgets recovered workers after the retention period', async () => {
    const silentClient = ctx.client();
    await registry(silentClient).registerWorker({ heartbeatMs: 20 });
    silentClient.disconnect();
    const sweeper = registry();
    await until(async () =>
      (await sweeper.sweep({ retentionMs: 50 })).recovered.length > 0 ? true : undefined,
    );
    expect(await sweeper.listWorkers()).toHaveLength(1);
    await sleep(80);
    await sweeper.sweep({ retentionMs: 50 });
    expect(await sweeper.listWorkers()).toEqual([]);
  });

  it('keeps heartbeating on its own timer', async () => {
    const workers = registry();
    const me = await workers.registerWorker({ heartbeatMs: 30 });
    const [before] = await workers.listWorkers();
    await sleep(150);
    const [after] = await workers.listWorkers();
    expect(after!.id).toBe(me.id);
    expect(after!.lastHeartbeatAt).toBeGreaterThan(before!.lastHeartbeatAt);
  });
});
