import { createRedis, StateStore } from '@covina/core';

const redis = createRedis();
const sessions = new StateStore({ redis, namespace: 'sessions' });

await sessions.putWithTtl('user:42', JSON.stringify({ step: 3 }), 60_000);
const raw = await sessions.get('user:42'); // Buffer | null: the exact bytes stored
console.log(JSON.parse(raw?.toString() ?? 'null')); // { step: 3 }

console.log(await sessions.setIfNotExists('import-lock', 'worker-1', 30_000)); // true: only one caller wins
await sessions.batchPut({ a: 'text', b: new Uint8Array([0, 255]) }, { ttlMs: 3_600_000 });
console.log((await sessions.batchGet(['a', 'b', 'missing'])).map((v) => v?.length ?? null)); // [4, 2, null]
console.log(await sessions.listKeys('user:')); // ['user:42'] (SCAN on every master, never KEYS)

const checkpoint = await sessions.checkpoint(); // values + absolute expiries, plain data
await sessions.clear();
await sessions.restore(checkpoint); // or into another namespace, on another server
console.log(await sessions.count()); // 4

await sessions.clear();
await redis.quit();
