import type { Redis } from 'ioredis';
import { chunked, execAll, isCluster, mapInChunks, type RedisClient, sum } from './topology.js';

/*
 * Batch commands. On a single server each batch is one MULTI transaction (all or nothing,
 * and a consistent read); on a Cluster, where keys of a batch live in many slots, each key is
 * its own command, sent `batchSize` at a time without waiting for each reply.
 */

/** SET every pair (with PX when `ttlMs` is given). */
export async function writeBatch(
  redis: RedisClient,
  pairs: ReadonlyArray<readonly [string, Buffer]>,
  ttlMs: number | undefined,
  batchSize: number,
): Promise<void> {
  if (isCluster(redis)) {
    await mapInChunks(pairs, batchSize, ([k, v]) =>
      ttlMs === undefined ? redis.set(k, v) : redis.set(k, v, 'PX', ttlMs),
    );
    return;
  }
  const multi = redis.multi();
  if (ttlMs === undefined) for (const chunk of chunked(pairs, batchSize)) multi.mset(...chunk.flat());
  else for (const [k, v] of pairs) multi.set(k, v, 'PX', ttlMs);
  await execAll(multi);
}

/** GET every key, in order. */
export async function readBatch(
  redis: RedisClient,
  keys: readonly string[],
  batchSize: number,
): Promise<Array<Buffer | null>> {
  if (isCluster(redis)) return mapInChunks(keys, batchSize, (k) => redis.getBuffer(k));
  const chunks = chunked(keys, batchSize);
  if (chunks.length === 1) return redis.mgetBuffer(...keys);
  const multi = redis.multi();
  for (const chunk of chunks) multi.mgetBuffer(...chunk);
  return ((await execAll(multi)) as Array<Array<Buffer | null>>).flat();
}

/** UNLINK every key; returns how many existed. */
export async function deleteBatch(
  redis: RedisClient,
  keys: readonly string[],
  batchSize: number,
): Promise<number> {
  if (isCluster(redis)) return sum(await mapInChunks(keys, batchSize, (k) => redis.unlink(k)));
  const multi = redis.multi();
  for (const chunk of chunked(keys, batchSize)) multi.unlink(...chunk);
  return sum((await execAll(multi)) as number[]);
}

/** UNLINK keys found on one server by SCAN (`node` is the client itself, or one Cluster master). */
export async function deleteOnNode(
  node: Redis,
  keys: readonly string[],
  cluster: boolean,
  batchSize: number,
): Promise<number> {
  let deleted = 0;
  for (const chunk of chunked(keys, batchSize)) {
    // A Cluster refuses multi-key commands across slots, even on one node: one UNLINK per key.
    deleted += cluster
      ? sum((await execAll(node.pipeline(chunk.map((k) => ['unlink', k])))) as number[])
      : await node.unlink(...chunk);
  }
  return deleted;
}
