import type { Stored } from './codec.js';
import type { RedisClient } from './redis-gate.js';

/**
 * Values of many keys in order: MGET per chunk, all chunks in one pipeline (standalone); one
 * GET per key on a Cluster (the keys of one MGET must share a slot). `binary` reads Buffers.
 */
export async function mget(
  redis: RedisClient,
  keys: string[],
  chunk: number,
  binary: boolean,
): Promise<Array<Stored | null>> {
  if (redis.isCluster) return Promise.all(keys.map((k) => (binary ? redis.getBuffer(k) : redis.get(k))));
  if (keys.length <= chunk) return binary ? redis.mgetBuffer(keys) : redis.mget(keys);
  const pipeline = redis.pipeline();
  for (let i = 0; i < keys.length; i += chunk) {
    const slice = keys.slice(i, i + chunk);
    if (binary) pipeline.mgetBuffer(slice);
    else pipeline.mget(slice);
  }
  const results = (await pipeline.exec()) ?? [];
  return results.flatMap(([error, values]) => {
    if (error) throw error;
    return values as Array<Stored | null>;
  });
}

/** SET PX for each entry: pipelined per chunk (standalone) or sent per key (Cluster routes them). */
export async function setAll(
  redis: RedisClient,
  commands: Array<[key: string, stored: Stored, pxMs: number]>,
  chunk: number,
): Promise<void> {
  if (redis.isCluster || commands.length === 1) {
    await Promise.all(commands.map(([k, v, px]) => redis.set(k, v, 'PX', px)));
    return;
  }
  for (let i = 0; i < commands.length; i += chunk) {
    const pipeline = redis.pipeline();
    for (const [k, v, px] of commands.slice(i, i + chunk)) pipeline.set(k, v, 'PX', px);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }
}
