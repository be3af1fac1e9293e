/**
 * StateStore (@covina/core) beside what a user would otherwise write: plain ioredis with
 * hand-built keys (SET/GET, MSET/MGET in one MULTI). Same redis-server, same value sizes.
 * StateStore adds key validation and encoding, template formatting, size checks and stats;
 * this shows what that costs. (keyv + @keyv/redis are not installed in bench/.)
 *
 * 1. put + get, sequential (latency per pair).
 * 2. batchPut / batchGet of 1,000 entries of 256 bytes (time per batch → keys/s).
 * 3. get throughput with 64 calls in flight (alternating 1 s rounds).
 *
 *   pnpm bench state-store
 */
import { resolveBinary, silentLogger, startRedis } from '@covina/embedded-server';
import { Redis } from 'ioredis';
import {
  opsPerSec,
  printComparison,
  printTable,
  sampleInterleaved,
  summarize,
  throughput,
} from './lib/index.js';

const { StateStore } = await import('@covina/core');

const binary = await resolveBinary();
const server = await startRedis({ binary: binary.path, logger: silentLogger });
process.stdout.write(`redis-server ${binary.version} (${binary.source}) on ${server.url}\n`);
const redis = new Redis(server.url);

const store = new StateStore({ redis, namespace: 'bench', prefix: 'bench' });
const rawKey = (key: string) => `bench-raw:state:bench:${key}`;
const value = Buffer.alloc(256, 7);
const BATCH = 1_000;
const keys = Array.from({ length: BATCH }, (_, i) => `doc/${i}:chunk`);
let n = 0;

// 1. Single-key latency.
const single = await sampleInterleaved(
  3_000,
  {
    'StateStore put + get': {
      run: async () => {
        const key = `k${n++ % 1000}`;
        await store.put(key, value);
        await store.get(key);
      },
    },
    'ioredis SET + GET': {
      run: async () => {
        const key = rawKey(`k${n++ % 1000}`);
        await redis.set(key, value);
        await redis.getBuffer(key);
      },
    },
  },
  { warmup: 200 },
);
printComparison('put + get, one client, sequential (256 B values)', single);

// 2. Batches.
const batches = await sampleInterleaved(
  60,
  {
    'StateStore batchPut': { run: () => store.batchPut(keys.map((k) => [k, value])) },
    'ioredis MULTI MSET': {
      run: () =>
        redis
          .multi()
          .mset(...keys.flatMap((k) => [rawKey(k), value]))
          .exec(),
    },
    'StateStore batchGet': { run: () => store.batchGet(keys) },
    'ioredis MGET': { run: () => redis.mgetBuffer(...keys.map(rawKey)) },
  },
  { warmup: 5 },
);
printComparison(`batches of ${BATCH} keys`, batches);
printTable(
  'batch keys per second (median batch)',
  Object.entries(batches).map(([name, times]) => ({
    contender: name,
    'keys/s': Math.round((BATCH * 1000) / summarize(times).median),
  })),
);

// 3. Throughput, in alternating 1 s rounds so machine noise hits both alike; median round shown.
const ROUNDS = 5;
const contenders = {
  'StateStore get': () => store.get(`k${n++ % 1000}`),
  'ioredis GET': () => redis.getBuffer(rawKey(`k${n++ % 1000}`)),
};
const rates: Record<string, number[]> = { 'StateStore get': [], 'ioredis GET': [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    const { ops, elapsedMs } = await throughput(1_000, fn, { concurrency: 64 });
    rates[name]?.push(opsPerSec(ops, elapsedMs));
  }
}
printTable(
  `get throughput, 64 in flight (median of ${ROUNDS} alternating 1 s rounds)`,
  Object.entries(rates).map(([name, r]) => ({ contender: name, 'ops/s': Math.round(summarize(r).median) })),
);

await store.clear();
await redis.quit();
await server.stop();
