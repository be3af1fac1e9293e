/**
 * Cache (@covina/cache-keys) beside bentocache, the cache a TypeScript user would pick instead,
 * on the same embedded redis-server. Same values (a ~200 B JSON object), same key counts.
 *
 * 1. getOrSet hit path, ops/s: Redis only (L2), then with an in-memory tier (L1 + L2), each
 *    with 1 and 64 calls in flight. Rounds alternate between contenders; the median is kept.
 * 2. getMany of 1,000 keys, ms per batch. bentocache has no getMany, so its users await
 *    1,000 gets at once; raw ioredis MGET is the floor.
 *
 *   pnpm bench cache
 */
import { resolveBinary, silentLogger, startRedis } from '@covina/embedded-server';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import {
  median,
  opsPerSec,
  printComparison,
  printTable,
  sampleInterleaved,
  throughput,
} from './lib/index.js';

const { Cache, createKeyRegistry } = await import('@covina/cache-keys');

const binary = await resolveBinary();
const server = await startRedis({ binary: binary.path, logger: silentLogger });
process.stdout.write(`redis-server ${binary.version} (${binary.source}) on ${server.url}\n`);

const KEYS = 1_000;
const ROUNDS = 3;
const ROUND_MS = 1_000;
const value = { title: 'Quarterly report', pages: 42, tags: ['finance', 'q3'], summary: 'x'.repeat(120) };
const ids = Array.from({ length: KEYS }, (_, i) => `doc-${i}`);
const load = async () => value;
const ttl = 10 * 60_000;

const clients: Redis[] = [];
const client = () => {
  const c = new Redis(server.url);
  clients.push(c);
  return c;
};

const keys = createKeyRegistry({ prefix: 'bench' }).register('report', 'cache:report:{id}');
const covina = new Cache({ redis: client(), keys, defaultTtlMs: ttl });
const covinaL1 = new Cache({ redis: client(), keys, defaultTtlMs: ttl, memory: { maxEntries: 10_000 } });
const bento = new BentoCache({
  default: 'l2',
  stores: {
    l2: bentostore().useL2Layer(redisDriver({ connection: client() })),
    l1l2: bentostore()
      .useL1Layer(memoryDriver({ maxItems: 10_000 }))
      .useL2Layer(redisDriver({ connection: client() })),
  },
});
const bentoL2 = bento.use('l2');
const bentoL1 = bento.use('l1l2');

// Fill every cache with the same keys.
let i = 0;
const nextId = () => ids[i++ % KEYS]!;
for (const id of ids) {
  await covina.getOrSet('report', { id }, load);
  await covinaL1.getOrSet('report', { id }, load);
  await bentoL2.getOrSet({ key: `report:${id}`, factory: load, ttl });
  await bentoL1.getOrSet({ key: `report:${id}`, factory: load, ttl });
}

// 1. Hit path. Client CPU per call (process.cpuUsage, this process only) is the library's own
// cost and moves little with machine load; ops/s on a shared machine moves a lot.
const raw = client();
const rawHit = async () => {
  const stored = await raw.get(keys.format('report', { id: nextId() }));
  return JSON.parse(stored!.slice(stored!.indexOf('|', 2) + 1));
};
const hitContenders: Record<string, Record<string, () => Promise<unknown>>> = {
  'Redis only': {
    covina: () => covina.getOrSet('report', { id: nextId() }, load),
    bentocache: () => bentoL2.getOrSet({ key: `report:${nextId()}`, factory: load, ttl }),
    'ioredis GET + JSON.parse': rawHit,
  },
  'memory + Redis': {
    covina: () => covinaL1.getOrSet('report', { id: nextId() }, load),
    bentocache: () => bentoL1.getOrSet({ key: `report:${nextId()}`, factory: load, ttl }),
  },
};
const hitRows = [];
const ratios: string[] = [];
const cpuRatios: string[] = [];
const ceilings: string[] = [];
for (const [tier, contenders] of Object.entries(hitContenders)) {
  for (const concurrency of [1, 64]) {
    const names = Object.keys(contenders);
    const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS + 1; round++) {
      for (const [name, fn] of Object.entries(contenders)) {
        const before = process.cpuUsage();
        const { ops, elapsedMs } = await throughput(ROUND_MS, fn, { concurrency });
        const used = process.cpuUsage(before);
        if (round === 0) continue; // warm-up
        rates[name]!.push(opsPerSec(ops, elapsedMs));
        cpu[name]!.push((used.user + used.system) / ops);
      }
    }
    for (const name of names) {
      hitRows.push({
        tier,
        'in flight': concurrency,
        contender: name,
        'ops/s': Math.round(median(rates[name]!)),
        'client CPU µs/op': Number(median(cpu[name]!).toFixed(1)),
        'vs bentocache': Number((median(rates[name]!) / median(rates.bentocache!)).toFixed(2)),
      });
    }
    const label = `${tier}, ${concurrency} in flight`;
    ratios.push(`${label}: ${(median(rates.covina!) / median(rates.bentocache!)).toFixed(2)}x`);
    cpuRatios.push(`${label}: ${(median(cpu.bentocache!) / median(cpu.covina!)).toFixed(2)}x less`);
    const raw = rates['ioredis GET + JSON.parse'];
    if (raw) ceilings.push(`${label}: ${(median(rates.covina!) / median(raw)).toFixed(2)}x`);
  }
}
printTable(`getOrSet hit path (median of ${ROUNDS} × ${ROUND_MS} ms rounds)`, hitRows);
process.stdout.write(`\ncovina / bentocache hit-path ops/s (goal >= 1.5x): ${ratios.join('; ')}\n`);
process.stdout.write(`client CPU per hit, covina vs bentocache: ${cpuRatios.join('; ')}\n`);
// With one call in flight a hit is one Redis round trip; bare ioredis doing the same GET is the
// ceiling no cache can pass (64 in flight, covina goes past it by coalescing reads into MGETs).
process.stdout.write(`covina / bare ioredis GET + JSON.parse ops/s: ${ceilings.join('; ')}\n`);

// 2. getMany of 1,000 keys.
const params = ids.map((id) => ({ id }));
const covinaKeys = ids.map((id) => keys.format('report', { id }));
const many = await sampleInterleaved(
  60,
  {
    'covina getMany': {
      run: async () => {
        const values = await covina.getMany('report', params);
        if (values[KEYS - 1] === undefined) throw new Error('covina getMany missed');
      },
    },
    'bentocache 1,000 × get': {
      run: async () => {
        const values = await Promise.all(ids.map((id) => bentoL2.get({ key: `report:${id}` })));
        if (values[KEYS - 1] === undefined) throw new Error('bentocache get missed');
      },
    },
    'ioredis MGET (floor)': { run: () => raw.mget(covinaKeys) },
  },
  { warmup: 5 },
);
const summary = printComparison(`getMany of ${KEYS} keys (Redis only)`, many);
process.stdout.write(
  `\ncovina getMany(${KEYS}) median: ${summary['covina getMany']?.median.toFixed(2)} ms (goal < 2 ms)\n`,
);

await covina.close();
await covinaL1.close();
await bento.disconnectAll();
await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
await server.stop();
