import type { Cluster, Redis } from 'ioredis';
import { scanNode } from './scan-keys.js';

/** SCAN one node for `prefix:*` and UNLINK what it finds, one key per command (cluster-safe). */
async function deleteOnNode(node: Redis, prefix: string, multiKey: boolean): Promise<number> {
  let deleted = 0;
  for await (const keys of scanNode(node, `${prefix}:*`)) {
    if (multiKey) {
      deleted += await node.unlink(...keys);
    } else {
      // Keys on one cluster node may sit in different slots: a multi-key UNLINK would be CROSSSLOT.
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      const results = (await pipeline.exec()) ?? [];
      for (const [err, n] of results) if (!err) deleted += Number(n);
    }
  }
  return deleted;
}

/**
 * Deletes every key under `prefix:` with SCAN + UNLINK (never KEYS), on a Redis or on every
 * master of a Cluster. `prefix` comes from `uniquePrefix()`, so it holds no glob characters.
 * Returns how many keys were deleted.
 */
export async function deleteByPrefix(redis: Redis | Cluster, prefix: string): Promise<number> {
  if (!redis.isCluster) return deleteOnNode(redis as Redis, prefix, true);
  const masters = (redis as Cluster).nodes('master');
  const counts = await Promise.all(masters.map((node) => deleteOnNode(node, prefix, false)));
  return counts.reduce((a, b) => a + b, 0);
}
