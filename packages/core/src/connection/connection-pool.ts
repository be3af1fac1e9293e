import type { Cluster, Redis } from 'ioredis';
import { defaultLogger } from './logger.js';
import { manageConnection } from './manage-connection.js';
import { stateOf } from './managed-state.js';
import { ConnectionPool, type PoolStats } from './pool.js';

const unmanagedPools = new WeakMap<Redis | Cluster, ConnectionPool>();

/**
 * The pool of extra connections (for blocking commands) of one client, created on first use
 * with the client's `connections` options. Every package borrows from the same pool, so the
 * counts and the near-limit warning cover the whole process's use of that client.
 *
 * ```ts
 * await getConnectionPool(redis).use((conn) => conn.blpop('jobs', 5));
 * ```
 */
export function getConnectionPool(redis: Redis | Cluster): ConnectionPool {
  const state = stateOf(redis);
  if (!state) {
    let pool = unmanagedPools.get(redis);
    if (!pool) {
      pool = new ConnectionPool(redis, {}, { logger: defaultLogger() });
      unmanagedPools.set(redis, pool);
      redis.once('end', () => pool?.close());
    }
    return pool;
  }
  state.pool ??= new ConnectionPool(redis, state.poolOptions, {
    logger: state.logger,
    // Duplicates share the parent's breaker: while Redis is down, blocking calls fail fast too.
    prepare: (connection) =>
      manageConnection(connection, {
        circuitBreaker: state.breaker ?? false,
        commandTimeoutMs: state.commandTimeoutMs,
        healthCheckIntervalMs: 0,
        logger: state.logger,
        endpoint: state.endpoint,
        mode: state.mode,
      }),
  });
  return state.pool;
}

/** The pool's counts without creating a pool (all zero when none was used yet). */
export function connectionPoolStats(redis: Redis | Cluster): PoolStats {
  const pool = stateOf(redis)?.pool ?? unmanagedPools.get(redis);
  if (pool) return pool.stats();
  const max = stateOf(redis)?.poolOptions.max ?? 20;
  return { created: 0, open: 0, inUse: 0, idle: 0, waiting: 0, max };
}
