import type { Cluster, Redis } from 'ioredis';

const SCAN_COUNT = 1000;

/** The keys of one node matching `pattern`, page by page (SCAN, never KEYS). */
export async function* scanNode(node: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/**
 * Every key matching the glob `pattern`, on a Redis or on every master of a Cluster, sorted and
 * without the duplicates SCAN may return.
 */
export async function scanKeys(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  const found = new Set<string>();
  for (const node of nodes)
    for await (const keys of scanNode(node, pattern)) for (const key of keys) found.add(key);
  return [...found].sort();
}
