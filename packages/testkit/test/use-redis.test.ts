import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useRedis, workerRedisUrl } from '../src/index.js';

describe('useRedis', () => {
  const ctx = useRedis();
  let firstPrefix = '';
  let extra: Redis | undefined;

  it('gives each test a client on this worker embedded server, never the machine Redis on 6379', async () => {
    expect(ctx.url).toBe(await workerRedisUrl());
    expect(new URL(ctx.url).port).not.toBe('6379');
    await ctx.redis.set(ctx.key('a'), '1');
    await ctx.redis.hset(ctx.key('nested', 2), 'f', 'v');
    expect(await ctx.redis.get(`${ctx.prefix}:a`)).toBe('1');
    firstPrefix = ctx.prefix;
    extra = ctx.client();
    expect(await extra.ping()).toBe('PONG');
  });

  it('gives the next test a new prefix, has removed the previous test keys and closed its clients', async () => {
    expect(ctx.prefix).not.toBe(firstPrefix);
    expect(ctx.prefix).toMatch(/^t[0-9a-f]{12}$/);
    expect(await ctx.redis.exists(`${firstPrefix}:a`, `${firstPrefix}:nested:2`)).toBe(0);
    expect(extra?.status).toBe('end');
  });

  it('leaves keys outside the prefix alone', async () => {
    const outsider = `${ctx.prefix}-outside`;
    await ctx.redis.set(outsider, 'x', 'EX', 60);
    firstPrefix = outsider;
  });

  it('(checks the previous test) a key that merely starts with the prefix text survives', async () => {
    expect(await ctx.redis.get(firstPrefix)).toBe('x');
    await ctx.redis.del(firstPrefix);
  });
});
