import { useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis } from '../src/connection/index.js';
import { StateStore, StateUnavailableError } from '../src/state/index.js';

const f = useFaultRedis({ persistent: true });
const clients: Redis[] = [];

/** A client that gives up quickly while the server is down, as production code would configure. */
function client(): Redis {
  const c = new Redis(f.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50, connectTimeout: 500 });
  c.on('error', () => {}); // reconnect noise while the server is down
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
});

describe('StateStore when Redis dies', () => {
  it('fails with a typed error and loses no acknowledged write', { timeout: 30_000 }, async () => {
    const store = new StateStore({ redis: client(), namespace: 'faults', prefix: 'fault' });
    await store.clear();
    const acknowledged = new Map<string, string>();
    const batches: string[][] = [];
    let failure: unknown;
    let killed: Promise<void> | undefined;
    // Single puts and small batches in a loop; the server is SIGKILLed under it.
    for (let i = 0; i < 5_000 && failure === undefined; i++) {
      try {
        if (i % 5 === 4) {
          const batch = Array.from({ length: 10 }, (_, j) => [`b${i}-${j}`, `v${i}-${j}`] as const);
          await store.batchPut(batch);
          batches.push(batch.map(([k]) => k));
          for (const [k, v] of batch) acknowledged.set(k, v);
        } else {
          await store.put(`k${i}`, `v${i}`);
          acknowledged.set(`k${i}`, `v${i}`);
        }
      } catch (error) {
        failure = error;
      }
      if (i === 200) killed = f.kill();
    }
    await killed;
    expect(failure).toBeInstanceOf(StateUnavailableError);
    expect(failure).toMatchObject({ code: 'E_STATE_UNAVAILABLE', context: { namespace: 'faults' } });
    expect((failure as Error).cause).toBeInstanceOf(Error);
    // While the server is down, every call fails the same typed way.
    await expect(store.get('k0')).rejects.toBeInstanceOf(StateUnavailableError);
    expect(store.stats().errors).toBeGreaterThanOrEqual(2);

    await f.restart();
    const after = new StateStore({ redis: client(), namespace: 'faults', prefix: 'fault' });
    const keys = [...acknowledged.keys()];
    const values = await after.batchGet(keys);
    const lost = keys.filter((k, i) => values[i]?.toString() !== acknowledged.get(k));
    expect(lost).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(200);
    // A batch is one transaction: each is entirely there or entirely absent.
    const listed = new Set(await after.listKeys('b'));
    const partial = Array.from({ length: 5_000 }, (_, i) =>
      Array.from({ length: 10 }, (_, j) => listed.has(`b${i}-${j}`)),
    ).filter((flags) => flags.some(Boolean) && !flags.every(Boolean));
    expect(partial).toEqual([]);
    expect(batches.length).toBeGreaterThan(0);
    await after.clear();
  });

  it('healthCheck reports a stalled server as unhealthy without hanging', async () => {
    const store = new StateStore({ redis: client(), namespace: 'faults', prefix: 'fault' });
    expect((await store.healthCheck()).healthy).toBe(true);
    f.pause();
    try {
      const started = Date.now();
      const health = await store.healthCheck({ timeoutMs: 200 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(health.healthy).toBe(false);
      expect(health.nodes[0]?.error).toMatch(/200 ms/);
    } finally {
      f.resume();
    }
    expect((await store.healthCheck()).healthy).toBe(true);
  });

  it('turns a guarded client timeout on a stalled server into a typed error, without hanging', async () => {
    const redis = createRedis({
      url: f.url,
      commandTimeoutMs: 300,
      circuitBreaker: false,
      healthCheckIntervalMs: 0,
      logger: pino({ level: 'silent' }),
    });
    clients.push(redis as Redis);
    const store = new StateStore({ redis, namespace: 'faults', prefix: 'fault' });
    await store.put('before', 'v');
    f.pause();
    let error: unknown;
    try {
      error = await store.get('before').catch((e: unknown) => e);
    } finally {
      f.resume();
    }
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect((error as Error).cause).toMatchObject({ code: 'E_REDIS_TIMEOUT' });
    expect((await store.get('before'))?.toString()).toBe('v');
    await store.clear();
  });
});
