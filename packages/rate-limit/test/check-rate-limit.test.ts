import { createKeyRegistry } from '@covina/cache-keys';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { createCheckRateLimit, RateLimitConfigError } from '../src/index.js';
import { sleep } from './support/trace.js';

const ctx = useRedis();
/** Decisions must come from Redis: on a busy machine a fail-open after 150 ms would hide bugs. */
const strict = { onRedisFailure: 'throw', timeoutMs: 10_000 } as const;

describe('checkRateLimit(key, maxRequests, windowSeconds)', () => {
  it('allows maxRequests per window on a key of the standard openaiRate template', async () => {
    const keys = createKeyRegistry({ prefix: ctx.prefix });
    const checkRateLimit = createCheckRateLimit({ redis: ctx.redis, keys, ...strict });
    const key = keys.format('openaiRate', { function_name: 'embed' });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await checkRateLimit(key, 3, 60));
    expect(answers).toEqual([true, true, true, false]);
    // Sliding window state, readable in redis-cli: "<window index> <this window's count> <previous count>".
    expect(await ctx.redis.get(key)).toMatch(/^\d+ \d+ \d+$/);
    // Another function has its own counter.
    expect(await checkRateLimit(keys.format('openaiRate', { function_name: 'chat' }), 3, 60)).toBe(true);
  });

  it('takes windows in fractional seconds (4.35 s is 4,350 ms, not a floating-point error)', async () => {
    const keys = createKeyRegistry({ prefix: ctx.prefix });
    const checkRateLimit = createCheckRateLimit({ redis: ctx.redis, keys, algorithm: 'gcra', ...strict });
    const key = keys.format('openaiRate', { function_name: 'frac' });
    expect(await checkRateLimit(key, 1, 4.35)).toBe(true);
    expect(await checkRateLimit(key, 1, 4.35)).toBe(false);
    expect(await ctx.redis.pttl(key)).toBeGreaterThan(4_000);
  });

  it('slides: requests come back as the window moves on', async () => {
    const keys = createKeyRegistry({ prefix: ctx.prefix });
    const checkRateLimit = createCheckRateLimit({
      redis: ctx.redis,
      keys,
      algorithm: 'sliding-log',
      ...strict,
    });
    const key = keys.format('openaiRate', { function_name: 'ocr' });
    expect(await checkRateLimit(key, 1, 0.3)).toBe(true);
    expect(await checkRateLimit(key, 1, 0.3)).toBe(false);
    await sleep(320);
    expect(await checkRateLimit(key, 1, 0.3)).toBe(true);
  });

  it('refuses a key no registered template made, and a bad limit or window, naming the field', async () => {
    const checkRateLimit = createCheckRateLimit({ redis: ctx.redis, prefix: ctx.prefix });
    await expect(checkRateLimit('my-own-key', 3, 60)).rejects.toBeInstanceOf(RateLimitConfigError);
    await expect(checkRateLimit('my-own-key', 3, 60)).rejects.toMatchObject({ context: { field: 'key' } });
    const key = createKeyRegistry({ prefix: ctx.prefix }).format('openaiRate', { function_name: 'x' });
    await expect(checkRateLimit(key, 0, 60)).rejects.toMatchObject({ context: { field: 'maxRequests' } });
    await expect(checkRateLimit(key, 3, 0.0001)).rejects.toMatchObject({
      context: { field: 'windowSeconds' },
    });
    await expect(checkRateLimit(key, 3, Number.NaN)).rejects.toMatchObject({
      context: { field: 'windowSeconds' },
    });
  });
});
