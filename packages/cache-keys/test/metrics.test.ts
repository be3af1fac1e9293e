import { useRedis } from '@covina/testkit';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { registerCacheMetrics } from '../src/index.js';
import { testCache } from './helpers.js';

const ctx = useRedis();

it('exposes per-type counters, hit ratio and latency on the registry it is given', async () => {
  const cache = testCache(ctx);
  await cache.getOrSet('thumb', { document_uuid: 'a' }, async () => 1);
  await cache.getOrSet('thumb', { document_uuid: 'a' }, async () => 1);
  await cache.getOrSet('thumb', { document_uuid: 'a' }, async () => 1);
  await cache.get('page', { document_uuid: 'a', page: 1 });

  const registry = new Registry();
  const unregister = registerCacheMetrics(cache, registry, { labels: { app: 'test' } });
  const text = await registry.metrics();
  expect(text).toContain('covina_cache_hits_total{app="test",type="thumb"} 2');
  expect(text).toContain('covina_cache_misses_total{app="test",type="thumb"} 1');
  expect(text).toContain('covina_cache_misses_total{app="test",type="page"} 1');
  expect(text).toContain('covina_cache_hit_ratio{app="test",type="thumb"} 0.6666666666666666');
  expect(text).toContain('covina_cache_loads_total{app="test",type="thumb"} 1');

  await cache.get('thumb', { document_uuid: 'a' });
  const after = await registry.metrics();
  expect(after).toContain('covina_cache_hits_total{app="test",type="thumb"} 3');
  expect(after).toMatch(
    /covina_cache_redis_latency_seconds_count\{app="test",type="thumb",operation="get"\} 1\b/,
  );

  const snapshot = cache.metrics.snapshot();
  expect(snapshot.byType.thumb).toMatchObject({ hits: 3, misses: 1, hitRate: 0.75 });
  // 4 lookups + the lock holder's double-check before loading.
  expect(snapshot.byType.thumb!.latency.count).toBe(5);
  expect(snapshot.total.misses).toBe(2);

  unregister();
  expect(await registry.metrics()).toBe('\n');
  await cache.close();
});
