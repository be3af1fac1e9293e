import type { Redis } from 'ioredis';
import type { ServerEndpoint } from './rdb-transfer.js';

/** How to reach the same server as an ioredis client, for a raw replication connection. */
export function endpointOf(node: Redis): ServerEndpoint & { db: number } {
  const o = node.options;
  // Behind Sentinel the options name the sentinels; the socket knows the actual master.
  const stream = (node as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  const viaSentinel = Array.isArray(o.sentinels) && o.sentinels.length > 0;
  const host = viaSentinel && stream?.remoteAddress ? stream.remoteAddress : (o.host ?? '127.0.0.1');
  const port = viaSentinel && stream?.remotePort ? stream.remotePort : (o.port ?? 6379);
  const endpoint: ServerEndpoint & { db: number } = { host, port, db: o.db ?? 0 };
  if (o.username) endpoint.username = o.username;
  if (o.password) endpoint.password = o.password;
  if (o.tls) endpoint.tls = { servername: host, ...o.tls };
  return endpoint;
}
