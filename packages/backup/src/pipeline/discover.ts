import type { Cluster, Redis } from 'ioredis';
import type { BackupKeyRegistry } from '../options.js';
import { isCluster } from '../snapshot/nodes.js';

/** Names of the pipelines that have tasks under the registry's prefix (SCAN, never KEYS). */
export async function discoverPipelines(
  redis: Redis | Cluster,
  registry: BackupKeyRegistry,
): Promise<string[]> {
  const pattern = registry.pattern('pipelineTasks', {});
  const found = new Set<string>();
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const parsed = registry.parse(key) as { name: string; params: Record<string, string> } | undefined;
        if (parsed?.name === 'pipelineTasks' && parsed.params.pipeline) found.add(parsed.params.pipeline);
      }
    } while (cursor !== '0');
  }
  return [...found].sort();
}
