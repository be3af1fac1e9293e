import type { RedisClient } from '../cache/redis-gate.js';

/** A key's serialized value (Redis DUMP format) and remaining TTL (ms, 0 = none). */
export interface DumpedKey {
  key: string;
  dump: Buffer;
  pttl: number;
}

/**
 * DUMP + PTTL for each key, pipelined on a standalone server, routed per key on a Cluster.
 * Keys that vanished meanwhile are left out.
 */
export async function dumpKeys(redis: RedisClient, keys: readonly string[]): Promise<DumpedKey[]> {
  let replies: Array<[Buffer | null, number]>;
  if (redis.isCluster) {
    replies = await Promise.all(
      keys.map(async (k) => [await redis.dumpBuffer(k), await redis.pttl(k)] as [Buffer | null, number]),
    );
  } else {
    const pipeline = redis.pipeline();
    for (const k of keys) pipeline.dumpBuffer(k).pttl(k);
    const results = (await pipeline.exec()) ?? [];
    replies = keys.map((_, i) => {
      const [dumpError, dump] = results[2 * i] ?? [];
      const [ttlError, pttl] = results[2 * i + 1] ?? [];
      if (dumpError) throw dumpError;
      if (ttlError) throw ttlError;
      return [dump as Buffer | null, pttl as number];
    });
  }
  const dumped: DumpedKey[] = [];
  keys.forEach((key, i) => {
    const [dump, pttl] = replies[i]!;
    // PTTL -2: the key is gone; -1: no expiry (RESTORE takes 0 for that).
    if (dump && pttl !== -2) dumped.push({ key, dump, pttl: Math.max(pttl, 0) });
  });
  return dumped;
}

/** RESTORE each dumped value under `targetOf(key)` with its TTL. */
export async function restoreKeys(
  redis: RedisClient,
  dumped: readonly DumpedKey[],
  targetOf: (key: string) => string,
  replace: boolean,
): Promise<void> {
  const args = (d: DumpedKey) =>
    replace ? [targetOf(d.key), d.pttl, d.dump, 'REPLACE'] : [targetOf(d.key), d.pttl, d.dump];
  if (redis.isCluster) {
    await Promise.all(dumped.map((d) => redis.call('RESTORE', ...(args(d) as [string, number, Buffer]))));
    return;
  }
  const pipeline = redis.pipeline();
  for (const d of dumped) pipeline.call('RESTORE', ...(args(d) as [string, number, Buffer]));
  const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
  if (failed) throw failed[0];
}

/** EXISTS per key (1/0), in order. */
export async function existsEach(redis: RedisClient, keys: readonly string[]): Promise<number[]> {
  if (redis.isCluster) return Promise.all(keys.map((k) => redis.exists(k)));
  const pipeline = redis.pipeline();
  for (const k of keys) pipeline.exists(k);
  return ((await pipeline.exec()) ?? []).map(([error, n]) => {
    if (error) throw error;
    return n as number;
  });
}
