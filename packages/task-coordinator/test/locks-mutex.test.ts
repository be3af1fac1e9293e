import { setTimeout as sleep } from 'node:timers/promises';
import { createKeyRegistry, KeyParamError } from '@covina/cache-keys';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import {
  createLockManager,
  InvalidOptionError,
  LockAbortedError,
  LockLostError,
  type LockManager,
  LockTimeoutError,
  lockScripts,
} from '../src/index.js';

const ctx = useRedis();

function managers(count: number, options: { recheckMs?: number } = {}): LockManager[] {
  return Array.from({ length: count }, () => {
    return createLockManager({ redis: ctx.client(), prefix: ctx.prefix, ...options });
  });
}

describe('mutex', () => {
  it('keeps a non-atomic read-modify-write exact under contention, with increasing fences', async () => {
    // recheckMs far beyond waitMs: a single lost wake-up would end in LockTimeoutError.
    const clients = managers(8, { recheckMs: 60_000 });
    const counter = ctx.key('counter');
    const fences: number[] = [];
    await Promise.all(
      clients.map(async (locks) => {
        for (let i = 0; i < 25; i++) {
          await locks.withLock(
            'counter',
            async (lock) => {
              fences.push(lock.fence);
              const value = Number((await ctx.redis.get(counter)) ?? '0');
              await sleep(1);
              await ctx.redis.set(counter, String(value + 1));
            },
            { waitMs: 20_000 },
          );
        }
      }),
    );
    expect(await ctx.redis.get(counter)).toBe('200');
    // Order of entry into the critical section is the order of the fencing tokens.
    expect(fences).toHaveLength(200);
    for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1]!);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('times out with LockTimeoutError, and tryAcquireLock answers null', async () => {
    const [a, b] = managers(2);
    const held = await a!.acquireLock('busy', { ttlMs: 10_000 });
    const error = await b!.acquireLock('busy', { waitMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).code).toBe('E_LOCK_TIMEOUT');
    expect((error as LockTimeoutError).context).toEqual({
      lock: 'busy',
      kind: 'mutex',
      waitMs: 150,
      reason: 'held',
    });
    expect(await b!.tryAcquireLock('busy')).toBeNull();
    expect(await held.release()).toBe(true);
    const next = await b!.tryAcquireLock('busy');
    expect(next?.fence).toBeGreaterThan(held.fence);
    await next?.release();
    await Promise.all([a!.close(), b!.close()]);
  });

  it('wakes a waiter by pub/sub when the holder releases (no polling needed)', async () => {
    // recheckMs far beyond waitMs: only the release message can wake the waiter in time.
    const [a, b] = managers(2, { recheckMs: 60_000 });
    const held = await a!.acquireLock('handoff', { ttlMs: 60_000 });
    const waiting = b!.acquireLock('handoff', { waitMs: 5_000 });
    await sleep(100);
    await held.release();
    const lock = await waiting;
    expect(lock.fence).toBe(held.fence + 1);
    await lock.release();
    await Promise.all([a!.close(), b!.close()]);
  });

  it('takes over a lock whose holder vanished once its lease ends', async () => {
    const [a, b] = managers(2, { recheckMs: 60_000 });
    const abandoned = await a!.acquireLock('crashed', { ttlMs: 200 });
    const lock = await b!.acquireLock('crashed', { waitMs: 5_000 });
    expect(lock.fence).toBeGreaterThan(abandoned.fence);
    expect(abandoned.held).toBe(false);
    expect(await abandoned.release()).toBe(false);
    expect(lock.held).toBe(true);
    await lock.release();
    await Promise.all([a!.close(), b!.close()]);
  });

  it('aborts a wait through its signal', async () => {
    const [a, b] = managers(2);
    const held = await a!.acquireLock('abort', { ttlMs: 10_000 });
    const controller = new AbortController();
    const waiting = b!.acquireLock('abort', { waitMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockAbortedError);
    expect((error as LockAbortedError).cause).toEqual(new Error('shutting down'));
    await expect(b!.acquireLock('abort', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      LockAbortedError,
    );
    await held.release();
    await Promise.all([a!.close(), b!.close()]);
  });

  it('signals the loss of a lock whose lease Redis no longer holds', async () => {
    const [locks] = managers(1);
    const lock = await locks!.acquireLock('stolen', { ttlMs: 5_000, autoExtend: true, extendEveryMs: 50 });
    const lost = new Promise<unknown>((resolve) =>
      lock.signal.addEventListener('abort', () => resolve(lock.signal.reason)),
    );
    await ctx.redis.del(locks!.keys.format('lock', { name: 'stolen' }));
    const reason = await lost;
    expect(reason).toBeInstanceOf(LockLostError);
    expect((reason as LockLostError).context).toMatchObject({
      lock: 'stolen',
      reason: 'taken',
      fence: lock.fence,
    });
    expect(lock.held).toBe(false);
    await expect(lock.extend()).rejects.toBeInstanceOf(LockLostError);
    await locks!.close();
  });

  it('keeps an auto-extended lock past its ttl, and withLock reports a loss during fn', async () => {
    const [locks] = managers(1);
    const kept = await locks!.withLock(
      'long',
      async (lock) => {
        await sleep(1_200);
        return lock.held;
      },
      { ttlMs: 500, extendEveryMs: 100 },
    );
    expect(kept).toBe(true);

    const error = await locks!
      .withLock(
        'long',
        async () => {
          await ctx.redis.del(locks!.keys.format('lock', { name: 'long' }));
          await sleep(200);
          return 'done';
        },
        { ttlMs: 150, extendEveryMs: 30 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    await locks!.close();
  });

  it('extends a lease by hand and releases it exactly once', async () => {
    const [a, b] = managers(2);
    const lock = await a!.acquireLock('manual', { ttlMs: 2_000 });
    const key = a!.keys.format('lock', { name: 'manual' });
    expect(await ctx.redis.pttl(key)).toBeLessThanOrEqual(2_000);
    const before = lock.expiresAt;
    await lock.extend(60_000);
    expect(await ctx.redis.pttl(key)).toBeGreaterThan(50_000);
    expect(lock.expiresAt).toBeGreaterThan(before + 50_000);
    expect(await b!.tryAcquireLock('manual')).toBeNull();
    expect(await lock.release()).toBe(true);
    expect(await lock.release()).toBe(false);
    await expect(lock.extend()).rejects.toMatchObject({
      code: 'E_LOCK_LOST',
      context: { reason: 'released' },
    });
    await Promise.all([a!.close(), b!.close()]);
  });

  it('releases the lock when fn throws, and rethrows its error', async () => {
    const [locks] = managers(1);
    await expect(
      locks!.withLock('throws', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const again = await locks!.tryAcquireLock('throws');
    expect(again).not.toBeNull();
    await again?.release();
    await locks!.close();
  });

  it('rejects bad options and names with typed errors, naming the field', async () => {
    const [locks] = managers(1);
    await expect(locks!.acquireLock('x', { ttlMs: -1 })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      context: { option: 'ttlMs' },
    });
    await expect(locks!.acquireLock('x', { ttlMs: 100, extendEveryMs: 100 })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    await expect(locks!.acquireLock('has space')).rejects.toBeInstanceOf(KeyParamError);
    expect(() => locks!.semaphore('s', 0)).toThrow(InvalidOptionError);
    expect(() =>
      createLockManager({ redis: ctx.redis, keys: createKeyRegistry({ defaults: false }) }),
    ).toThrow(InvalidOptionError);
    expect(await ctx.redis.scan(0, 'MATCH', `${ctx.prefix}:*`, 'COUNT', 1000)).toEqual(['0', []]);
    await locks!.close();
  });
});

describe('mutex acquire script', () => {
  const source = lockScripts.find((script) => script.name === 'lockMutexAcquire')!.source;
  // Redis 7.0+ takes the SET NX GET branch; hiding the version runs the GET branch Redis 6.2 takes.
  it.each([
    ['as on Redis 7.0+', source],
    ['as on Redis 6.2', source.replaceAll('redis.REDIS_VERSION_NUM', 'nil')],
  ])('takes a free lock, renews for a retried token, refuses another (%s)', async (_, lua) => {
    expect(lua.includes('redis.REDIS_VERSION_NUM')).toBe(lua === source);
    const [lock, fence] = [ctx.key('m'), ctx.key('m-fence')];
    const run = (token: string, ttlMs: number) => ctx.redis.eval(lua, 2, lock, fence, token, ttlMs);

    expect(await run('a', 5_000)).toEqual([1, 1]);
    expect(await ctx.redis.get(lock)).toBe('a');
    expect(await ctx.redis.pttl(lock)).toBeGreaterThan(4_000);
    // The same token again (a retried command): lease renewed, a higher fence.
    expect(await run('a', 60_000)).toEqual([1, 2]);
    expect(await ctx.redis.pttl(lock)).toBeGreaterThan(50_000);
    // Another token: refused, told how long the lease has left; nothing changed.
    const [status, pttl] = (await run('b', 5_000)) as [number, number];
    expect(status).toBe(-1);
    expect(pttl).toBeGreaterThan(50_000);
    expect(await ctx.redis.get(lock)).toBe('a');
    expect(await ctx.redis.get(fence)).toBe('2');
    // Freed (lease gone): the next token takes it, fences keep increasing.
    await ctx.redis.del(lock);
    expect(await run('b', 5_000)).toEqual([1, 3]);
    expect(await ctx.redis.get(lock)).toBe('b');
  });
});

describe('fencing', () => {
  it('accepts equal or higher tokens and refuses a stale one', async () => {
    const [locks] = managers(1);
    expect(await locks!.checkFence('report', 5)).toBe(true);
    expect(await locks!.checkFence('report', 5)).toBe(true);
    expect(await locks!.checkFence('report', 7)).toBe(true);
    expect(await locks!.checkFence('report', 6)).toBe(false);
    await expect(locks!.assertFence('report', 3)).rejects.toMatchObject({
      code: 'E_STALE_FENCE_TOKEN',
      context: { resource: 'report', fence: 3, highest: 7 },
    });
    await locks!.close();
  });
});
