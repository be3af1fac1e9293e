import { useFaultRedis, useRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

describe('a counter stored in Redis', () => {
  // This worker's embedded server; a fresh client and key prefix for every test.
  const ctx = useRedis();

  it('counts', async () => {
    await ctx.redis.incrby(ctx.key('hits'), 2);
    expect(await ctx.redis.get(ctx.key('hits'))).toBe('2');
  });

  it('starts from a clean slate: the previous test keys are gone', async () => {
    expect(await ctx.redis.get(ctx.key('hits'))).toBeNull();
  });
});

describe('the same counter when Redis crashes', () => {
  // A server of this describe's own, to kill and restart; data kept on disk (AOF).
  const f = useFaultRedis({ persistent: true });

  it('keeps acknowledged writes through a SIGKILL', async () => {
    const redis = new Redis(f.url);
    await redis.incr('hits');
    redis.disconnect();

    await f.kill();
    await f.restart();

    const after = new Redis(f.url);
    expect(await after.get('hits')).toBe('1');
    after.disconnect();
  });
});
