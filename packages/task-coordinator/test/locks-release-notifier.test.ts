import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { createLockManager, LockTimeoutError } from '../src/index.js';

const ctx = useRedis();

describe('lock release notifications', () => {
  it('a release channel whose subscription failed is subscribed afresh by the next waiter', async () => {
    // A user who may run everything but subscribe to nothing, until granted channels below.
    const user = `${ctx.prefix.replace(/\W/g, '_')}_nochannels`;
    await ctx.redis.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', 'resetchannels', '+@all');
    try {
      const holder = createLockManager({ redis: ctx.client(), prefix: ctx.prefix });
      // Re-checks far beyond every wait below: only a release message can wake a waiter in time.
      const waiters = createLockManager({
        redis: ctx.client({ username: user, password: 'secret' }),
        prefix: ctx.prefix,
        recheckMs: 60_000,
      });
      const held = await holder.acquireLock('doc', { ttlMs: 60_000 });

      // SUBSCRIBE is refused (NOPERM): this waiter can only time out.
      await expect(waiters.acquireLock('doc', { waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);

      await ctx.redis.call('ACL', 'SETUSER', user, 'allchannels');
      const next = waiters.acquireLock('doc', { waitMs: 10_000 });
      await sleep(300); // it has subscribed and is waiting
      const releasedAt = performance.now();
      await held.release();
      const lock = await next;
      expect(performance.now() - releasedAt).toBeLessThan(5_000);
      await lock.release();
      await Promise.all([holder.close(), waiters.close()]);
    } finally {
      await ctx.redis.call('ACL', 'DELUSER', user);
    }
  });
});
