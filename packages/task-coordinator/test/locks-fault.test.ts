import { setTimeout as sleep } from 'node:timers/promises';
import { useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLockManager, LockLostError, type LockManager, LockTimeoutError } from '../src/index.js';

const f = useFaultRedis();
const opened: Array<{ redis: Redis; locks: LockManager }> = [];

function manager(): LockManager {
  const redis = new Redis(f.url, { maxRetriesPerRequest: 3 });
  const locks = createLockManager({ redis, prefix: 'fault' });
  opened.push({ redis, locks });
  return locks;
}

afterEach(async () => {
  f.resume();
  await Promise.all(
    opened.splice(0).map(async ({ redis, locks }) => {
      await locks.close();
      redis.disconnect();
    }),
  );
});

describe('locks when Redis stalls', () => {
  it('signals the loss of an auto-extended lock when Redis is paused longer than its ttl', async () => {
    const [a, b] = [manager(), manager()];
    const lock = await a.acquireLock('report', { ttlMs: 400, autoExtend: true, extendEveryMs: 100 });
    expect(await a.checkFence('report.pdf', lock.fence)).toBe(true);
    const lost = new Promise<unknown>((resolve) =>
      lock.signal.addEventListener('abort', () => resolve(lock.signal.reason), { once: true }),
    );
    f.pause();
    const reason = await lost; // fired while Redis is still paused: by the local lease clock
    f.resume();
    expect(reason).toBeInstanceOf(LockLostError);
    expect((reason as LockLostError).context).toMatchObject({ lock: 'report', reason: 'expired' });
    expect(lock.held).toBe(false);

    await sleep(50);
    const next = await b.acquireLock('report', { waitMs: 5_000 });
    expect(next.fence).toBeGreaterThan(lock.fence);
    expect(await b.checkFence('report.pdf', next.fence)).toBe(true);
    // The stalled holder's late write is refused by the resource.
    expect(await a.checkFence('report.pdf', lock.fence)).toBe(false);
    await next.release();
  });

  it('ends a wait with reason no-reply when Redis does not answer', async () => {
    const locks = manager();
    await locks.tryAcquireLock('warmup').then((l) => l?.release());
    f.pause();
    const error = await locks.acquireLock('stalled', { waitMs: 100 }).catch((e: unknown) => e);
    f.resume();
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).context.reason).toBe('no-reply');
    // The attempt that was given up lands after the resume; its lock is released right away.
    await sleep(200);
    const lock = await locks.acquireLock('stalled', { waitMs: 0 });
    await lock.release();
  });
});
