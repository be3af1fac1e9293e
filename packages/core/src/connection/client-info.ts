import type { Cluster, ClusterNode, Redis } from 'ioredis';
import type { RedisMode } from './config.js';

/** A Redis or Cluster client, duck-typed so a second copy of ioredis is recognised too. */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sendCommand?: unknown }).sendCommand === 'function' &&
    typeof (value as { duplicate?: unknown }).duplicate === 'function' &&
    typeof (value as { status?: unknown }).status === 'string'
  );
}

export function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** Mode and redacted target of a client COVINA did not create, read from its own options. */
export interface ClientDescription {
  mode: RedisMode;
  /** Redacted target. */
  endpoint: string;
  secrets: string[];
  username?: string;
}

export function describeClient(client: Redis | Cluster): ClientDescription {
  if (isCluster(client)) {
    // ioredis keeps the seed nodes private; they are the only record of what was asked for.
    const { startupNodes } = client as unknown as { startupNodes: ClusterNode[] };
    const nodes = startupNodes
      .map((node) =>
        typeof node === 'object' ? `${node.host ?? 'localhost'}:${node.port ?? 6379}` : String(node),
      )
      .join(',');
    const { password, username, tls } = client.options.redisOptions ?? {};
    return {
      mode: 'cluster',
      endpoint: `cluster ${tls ? 'rediss' : 'redis'}://${password ? ':***@' : ''}${nodes}`,
      secrets: password ? [password] : [],
      ...(username ? { username } : {}),
    };
  }
  const { host, port, db, password, username, sentinels, name, tls, sentinelPassword } = client.options;
  const secrets = [password, sentinelPassword].filter((secret): secret is string => Boolean(secret));
  const user = username ? { username } : {};
  const scheme = tls ? 'rediss' : 'redis';
  const auth = password ? ':***@' : '';
  if (sentinels?.length) {
    const list = sentinels.map((s) => `${s.host ?? 'localhost'}:${s.port ?? 26379}`).join(',');
    return {
      mode: 'sentinel',
      endpoint: `sentinel ${scheme}://${auth}${name}@${list}/${db ?? 0}`,
      secrets,
      ...user,
    };
  }
  return {
    mode: 'standalone',
    endpoint: `${scheme}://${auth}${host ?? 'localhost'}:${port ?? 6379}/${db ?? 0}`,
    secrets,
    ...user,
  };
}
