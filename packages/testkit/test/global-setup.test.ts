import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { PROVIDE_KEY, type ProvidedRedisUrls, workerRedisUrl } from '../src/index.js';

describe('global setup', () => {
  it('provides one distinct, live server per worker, and this worker uses its own slot', async () => {
    const urls = (inject as (key: string) => ProvidedRedisUrls)(PROVIDE_KEY);
    expect(urls.length).toBeGreaterThanOrEqual(1);
    expect(new Set(urls).size).toBe(urls.length);
    for (const url of urls) {
      const redis = new Redis(url);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
    }
    const slot = Number(process.env.VITEST_POOL_ID) - 1;
    expect(Number.isInteger(slot)).toBe(true);
    expect(await workerRedisUrl()).toBe(urls[slot % urls.length]);
  });
});
