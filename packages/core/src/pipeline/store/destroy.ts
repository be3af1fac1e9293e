import { escapeGlob } from '@covina/cache-keys';
import type { Cluster, Redis } from 'ioredis';
import type { StoreCore } from './core.js';

/**
 * Deletes every key of the pipeline: SCAN (never KEYS) for `<prefix>:{<pipeline>}:*` on every
 * master, UNLINK in pages. The keys share one hash slot, so a page is one UNLINK.
 */
export async function destroyPipeline(core: StoreCore): Promise<number> {
  const head = core.keys.tasks.slice(0, core.keys.tasks.lastIndexOf(':') + 1);
  const match = `${escapeGlob(head)}*`;
  const redis = core.redis;
  const nodes: Redis[] = (redis as { isCluster?: boolean }).isCluster
    ? (redis as Cluster).nodes('master')
    : [redis as Redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await node.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}
