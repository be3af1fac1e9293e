import type { ChainableCommander, Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** `instanceof Cluster` fails across duplicated ioredis copies; the flag does not. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** The servers holding a namespace's keys: the client itself, or every Cluster master. */
export async function masterNodes(redis: RedisClient): Promise<Redis[]> {
  if (!isCluster(redis)) return [redis];
  let nodes = redis.nodes('master');
  if (nodes.length === 0 || redis.status !== 'ready') {
    // Any command waits until the cluster is connected and knows its slots.
    await redis.ping();
    nodes = redis.nodes('master');
  }
  return nodes;
}

/** Runs a pipeline or MULTI and returns its replies, throwing the first command error. */
export async function execAll(batch: ChainableCommander): Promise<unknown[]> {
  const results = (await batch.exec()) ?? [];
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** `items` in slices of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Maps `items` through `fn` with at most `size` calls in flight at once (order kept). */
export async function mapInChunks<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (const slice of chunked(items, size)) out.push(...(await Promise.all(slice.map(fn))));
  return out;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
