import { setTimeout as sleep } from 'node:timers/promises';
import { loadScripts } from '@covina/core';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createLockManager, LockLostError, type LockManager, lockScripts } from '../src/index.js';

const ctx = useRedis();
const opened: LockManager[] = [];

function managers(count: number): LockManager[] {
  const made = Array.from({ length: count }, () =>
    createLockManager({ redis: ctx.client(), prefix: ctx.prefix }),
  );
  opened.push(...made);
  return made;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.close()));
});

describe('semaphore', () => {
  it('never lets more than `permits` holders in under contention', async () => {
    const clients = managers(8);
    let active = 0;
    let maxActive = 0;
    let maxLeased = 0;
    let runs = 0;
    await Promise.all(
      clients.map(async (locks) => {
        const pool = locks.semaphore('ocr', 3);
        for (let i = 0; i < 6; i++) {
          await pool.withPermit(
            async () => {
              active++;
              maxActive = Math.max(maxActive, active);
              maxLeased = Math.max(maxLeased, await pool.leased());
              await sleep(3);
              active--;
              runs++;
            },
            { waitMs: 20_000 },
          );
        }
      }),
    );
    expect(runs).toBe(48);
    expect(maxActive).toBe(3);
    expect(maxLeased).toBeLessThanOrEqual(3);
    expect(await clients[0]!.semaphore('ocr', 3).leased()).toBe(0);
  });

  it('reclaims the permits of holders whose lease ran out', async () => {
    const [a, b] = managers(2);
    const pool = a!.semaphore('gpu', 2);
    const first = await pool.acquire({ ttlMs: 200 });
    const second = await pool.acquire({ ttlMs: 200 });
    expect(await pool.leased()).toBe(2);
    const third = await b!.semaphore('gpu', 2).acquire({ waitMs: 5_000 });
    expect(third.fence).toBeGreaterThan(second.fence);
    expect(second.fence).toBeGreaterThan(first.fence);
    await expect(first.extend()).rejects.toBeInstanceOf(LockLostError);
    // On a loaded machine the second permit may have been leased well after the first.
    await new Promise((r) => setTimeout(r, Math.max(0, second.expiresAt - Date.now()) + 50));
    expect(await second.release()).toBe(false);
    expect(await pool.leased()).toBe(1);
    expect(await third.release()).toBe(true);
    expect(await pool.leased()).toBe(0);
  });

  it('times out while every permit is leased and frees a permit when asked to', async () => {
    const [locks] = managers(1);
    const pool = locks!.semaphore('one', 1);
    const held = await pool.acquire();
    await expect(pool.acquire({ waitMs: 100 })).rejects.toMatchObject({
      code: 'E_LOCK_TIMEOUT',
      context: { lock: 'one', kind: 'semaphore', reason: 'held' },
    });
    const waiting = pool.acquire({ waitMs: 5_000 });
    await sleep(50);
    await held.release();
    const next = await waiting;
    expect(next.kind).toBe('semaphore');
    await next.release();
  });
});

describe('permit acquire script', () => {
  it('renews a retried token even when every permit is leased, refuses others', async () => {
    const scripts = loadScripts(ctx.redis, lockScripts, { namespace: 'locktest' });
    const [permits, fence] = [ctx.key('p'), ctx.key('p-fence')];
    const run = (token: string) => scripts.run('lockPermitAcquire', [permits, fence], [token, 60_000, 2]);

    expect(await run('a')).toEqual([1, 1]);
    expect(await run('b')).toEqual([1, 2]);
    const [status] = (await run('c')) as [number, number];
    expect(status).toBe(-1);
    // Full, but 'a' asks again (a retried command): still its permit, a higher fence.
    expect(await run('a')).toEqual([1, 3]);
    expect((await ctx.redis.zrange(permits, 0, -1)).sort()).toEqual(['a', 'b']); // by expiry: order varies
    expect(await ctx.redis.pttl(permits)).toBeGreaterThan(50_000);
  });
});
