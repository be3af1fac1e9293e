import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../cache/redis-gate.js';

/**
 * The CLI's connection: `--url`, else `COVINA_REDIS_URL` (redis:// or rediss://), else
 * `COVINA_REDIS_CLUSTER_NODES` (`host:port,host:port`, a Cluster). No silent default: a
 * migration must never run against a server picked by accident.
 */
export function connectFromEnv(url: string | undefined, env: NodeJS.ProcessEnv): RedisClient | undefined {
  const target = url ?? env.COVINA_REDIS_URL;
  if (target) return new Redis(target, { maxRetriesPerRequest: 3, lazyConnect: false });
  const nodes = env.COVINA_REDIS_CLUSTER_NODES?.split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (nodes && nodes.length > 0) {
    return new Cluster(
      nodes.map((n) => {
        const [host, port] = n.split(':');
        return { host: host || '127.0.0.1', port: Number(port) || 6379 };
      }),
      { redisOptions: { password: env.COVINA_REDIS_PASSWORD, maxRetriesPerRequest: 3 } },
    );
  }
  return undefined;
}
