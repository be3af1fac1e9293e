import { describe, expect, it } from 'vitest';
import { deleteByPrefix, uniquePrefix, useRedis } from '../src/index.js';

describe('deleteByPrefix', () => {
  const ctx = useRedis();

  it('deletes every key under prefix: across many SCAN pages, and nothing else', async () => {
    const prefix = uniquePrefix('del');
    const pipeline = ctx.redis.pipeline();
    for (let i = 0; i < 2_500; i++) pipeline.set(`${prefix}:k:${i}`, '1');
    pipeline.set(`${prefix}x:other`, 'keep');
    pipeline.set(ctx.key('mine'), 'keep');
    await pipeline.exec();

    expect(await deleteByPrefix(ctx.redis, prefix)).toBe(2_500);
    expect(await ctx.redis.exists(`${prefix}:k:0`, `${prefix}:k:2499`)).toBe(0);
    expect(await ctx.redis.get(`${prefix}x:other`)).toBe('keep');
    expect(await ctx.redis.get(ctx.key('mine'))).toBe('keep');
    await ctx.redis.del(`${prefix}x:other`);
  });
});

describe('uniquePrefix', () => {
  it('is a label plus 12 hex chars, and does not repeat', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => uniquePrefix()));
    expect(seen.size).toBe(1000);
    for (const p of seen) expect(p).toMatch(/^t[0-9a-f]{12}$/);
    expect(uniquePrefix('job')).toMatch(/^job[0-9a-f]{12}$/);
  });
});
