import { Cache, createKeyRegistry } from '@covina/cache-keys';
import { Redis } from 'ioredis';

// Every key comes from a registered template: the defaults plus your own.
const keys = createKeyRegistry({ prefix: 'covina' }).register('thumb', 'cache:thumb:{document_uuid}');
console.log(keys.format('thumb', { document_uuid: 'd41d8c' })); // covina:cache:thumb:d41d8c
console.log(keys.parse('covina:doc:ocr:d41d8c')); // { name: 'docOcr', params: { document_uuid: 'd41d8c' } }

const redis = new Redis(process.env.COVINA_REDIS_URL ?? 'redis://127.0.0.1:6379');
const cache = new Cache({ redis, keys, defaultTtlMs: 60_000, graceMs: 10 * 60_000 });

// Concurrent misses of one key run the loader once, in this process and across processes.
let renders = 0;
const render = async () => {
  renders++;
  return { width: 320, height: 240 };
};
await Promise.all([
  cache.getOrSet('thumb', { document_uuid: 'd41d8c' }, render),
  cache.getOrSet('thumb', { document_uuid: 'd41d8c' }, render),
]);
console.log(renders, await cache.get('thumb', { document_uuid: 'd41d8c' })); // 1 { width: 320, height: 240 }

// Drop every key of every template with a document_uuid for this document.
console.log(await cache.invalidateDocument('d41d8c')); // 1
console.log(cache.metrics.snapshot().byType.thumb); // { hits: 1, misses: 2, loads: 1, … }

await cache.close();
await redis.quit();
