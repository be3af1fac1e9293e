import { escapeGlob } from '@covina/cache-keys';
import type { Cluster, Redis } from 'ioredis';
import type { ScopeRow } from '../file/rows.js';
import { isCluster, planNodes } from '../snapshot/nodes.js';
import { keySlot } from './key-slot.js';

export type Client = Redis | Cluster;

/** Every key name of a scope now in Redis (latin1 text of the bytes). */
export async function scanScope(redis: Client, scope: ScopeRow): Promise<Set<string>> {
  const found = new Set<string>();
  const nodes = await planNodes(redis, [{ ...scope }]);
  for (const { node } of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(
        cursor,
        'MATCH',
        `${escapeGlob(scope.prefix)}*`,
        'COUNT',
        1000,
      );
      cursor = String(next);
      for (const key of keys) found.add(key.toString('latin1'));
    } while (cursor !== '0');
  }
  return found;
}

/** Runs commands grouped by cluster slot (one pipeline per slot) and returns their replies in order. */
export async function runGrouped(
  redis: Client,
  keys: readonly Buffer[],
  add: (batch: ReturnType<Client['pipeline']>, i: number) => void,
): Promise<unknown[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = isCluster(redis) ? keySlot(key) : 0;
    const list = groups.get(slot);
    if (list) list.push(i);
    else groups.set(slot, [i]);
  });
  const out: unknown[] = new Array(keys.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const batch = redis.pipeline();
      for (const i of indexes) add(batch, i);
      const replies = (await batch.exec()) ?? [];
      indexes.forEach((i, j) => {
        const [error, reply] = replies[j] ?? [];
        if (error) throw Object.assign(error, { keyIndex: i });
        out[i] = reply;
      });
    }),
  );
  return out;
}
