import type { Cluster, Redis } from 'ioredis';
import { type RedisClient, withTimeout } from './redis-gate.js';

/** The servers holding keys: every master of a Cluster, or the one server. */
export function scanTargets(redis: RedisClient): Redis[] {
  return redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
}

export interface ScanOptions {
  /** SCAN COUNT hint. */
  count: number;
  /** Longest wait for one SCAN or UNLINK round trip. */
  timeoutMs: number;
  /** Only keys passing this are used (a glob `*` also matches `:`, so callers confirm). */
  filter?: (key: string) => boolean;
  signal?: AbortSignal;
}

/** Yields batches of keys matching `pattern` on every master, with SCAN (never KEYS). */
export async function* scanKeys(
  redis: RedisClient,
  pattern: string,
  options: ScanOptions,
): AsyncGenerator<string[]> {
  for (const node of scanTargets(redis)) yield* scanNode(node, pattern, options);
}

async function* scanNode(node: Redis, pattern: string, options: ScanOptions): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    options.signal?.throwIfAborted();
    const [next, found] = await withTimeout(
      node.scan(cursor, 'MATCH', pattern, 'COUNT', options.count),
      options.timeoutMs,
      'scan',
    );
    cursor = next;
    const keys = options.filter ? found.filter(options.filter) : found;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/**
 * Removes keys with UNLINK (freed in the background). Standalone: one multi-key UNLINK per
 * batch. Cluster: keys of a batch may be in several slots, so one UNLINK per key.
 */
export async function unlinkKeys(
  redis: RedisClient,
  keys: readonly string[],
  batch: number,
): Promise<number> {
  let removed = 0;
  for (let i = 0; i < keys.length; i += batch) {
    const chunk = keys.slice(i, i + batch);
    if (redis.isCluster) {
      const counts = await Promise.all(chunk.map((k) => redis.unlink(k)));
      removed += counts.reduce((a, b) => a + b, 0);
    } else {
      removed += await redis.unlink(...chunk);
    }
  }
  return removed;
}

/** SCAN + UNLINK of every key matching `pattern` (and `filter`) on every master; returns how many. */
export async function scanAndUnlink(
  redis: RedisClient,
  pattern: string,
  options: ScanOptions,
): Promise<number> {
  let removed = 0;
  for (const node of scanTargets(redis)) {
    for await (const keys of scanNode(node, pattern, options)) {
      // Keys found on a node live there: unlink on that node, one command per key on a
      // Cluster (their slots differ), pipelined.
      const unlinked = redis.isCluster
        ? withTimeout(
            node
              .pipeline(keys.map((k) => ['unlink', k]))
              .exec()
              .then((results) =>
                (results ?? []).reduce((sum, [error, n]) => sum + (error ? 0 : Number(n)), 0),
              ),
            options.timeoutMs,
            'unlink',
          )
        : withTimeout(node.unlink(...keys), options.timeoutMs, 'unlink');
      removed += await unlinked;
    }
  }
  return removed;
}
