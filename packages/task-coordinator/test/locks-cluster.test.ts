import { setTimeout as sleep } from 'node:timers/promises';
import { useCluster } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { createLockManager, createWorkerRegistry, type LockManager } from '../src/index.js';

const c = useCluster();

describe('on a Redis Cluster', () => {
  it('locks names living on different masters, wakes waiters by pub/sub, and runs the registry', async () => {
    const [a, b]: LockManager[] = [0, 1].map(() =>
      createLockManager({ redis: c.client(), prefix: c.prefix, recheckMs: 60_000 }),
    );
    try {
      // Several names: their hash tags spread them over the three masters.
      const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
      for (const name of names) {
        const held = await a!.acquireLock(name, { ttlMs: 60_000 });
        const waiting = b!.acquireLock(name, { waitMs: 5_000 }); // woken only by the release message
        await sleep(20);
        await held.release();
        const next = await waiting;
        expect(next.fence).toBe(held.fence + 1);
        await next.release();
      }

      const pool = a!.semaphore('ocr', 2);
      const permits = await Promise.all([pool.acquire(), pool.acquire()]);
      expect(await pool.leased()).toBe(2);
      await expect(b!.semaphore('ocr', 2).acquire({ waitMs: 0 })).rejects.toMatchObject({
        code: 'E_LOCK_TIMEOUT',
      });
      await Promise.all(permits.map((p) => p.release()));

      const rw = b!.readWriteLock('catalog');
      const reads = await Promise.all([rw.acquireRead(), a!.readWriteLock('catalog').acquireRead()]);
      expect(await rw.readers()).toBe(2);
      await Promise.all(reads.map((r) => r.release()));
      const write = await rw.acquireWrite({ waitMs: 0 });
      await write.release();
      expect(await a!.checkFence('catalog.json', write.fence)).toBe(true);
      expect(await a!.checkFence('catalog.json', write.fence - 1)).toBe(false);

      const registry = createWorkerRegistry({
        redis: c.client(),
        prefix: c.prefix,
        namespace: 'docs',
        locks: a,
      });
      const worker = await registry.registerWorker({ heartbeatMs: 1_000 });
      expect((await registry.listWorkers()).map((w) => [w.id, w.state])).toEqual([[worker.id, 'alive']]);
      expect(await registry.sweep()).toEqual({ swept: true, recovered: [], failed: [] });
      await registry.close();
      expect(await registry.listWorkers()).toEqual([]);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });
});
