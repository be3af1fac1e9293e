import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, getCircuitBreaker, type RedisClient } from '../src/connection/index.js';
import { stateOf } from '../src/connection/managed-state.js';
import { silentLogger } from './connection/capture-logger.js';

// What createRedis() hands ioredis, read back from the client it returns (lazyConnect: nothing
// is dialled). Behaviour under faults is covered by connection-faults/-breaker/-sentinel.
describe('createRedis options reach the client', () => {
  const clients: RedisClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  const make = (options: Parameters<typeof createRedis>[0]) => {
    const client = createRedis({ lazyConnect: true, logger: silentLogger, ...options });
    clients.push(client);
    return client;
  };

  it('standalone defaults: 5 s connect and command timeouts, keepalive, backoff, 30 s health check, breaker', () => {
    const redis = make({ env: { COVINA_REDIS_URL: 'rediss://app:pw@cache.internal:6380/2' } }) as Redis;
    expect(redis).toBeInstanceOf(Redis);
    expect(redis.options).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      db: 2,
      username: 'app',
      password: 'pw',
      tls: {},
      connectTimeout: 5000,
      keepAlive: 10_000,
      noDelay: true,
      maxRetriesPerRequest: 3,
      enableOfflineQueue: true,
      autoResubscribe: true,
    });
    const retry = redis.options.retryStrategy!;
    for (let attempt = 1; attempt <= 40; attempt++) {
      const delay = retry(attempt) as number;
      const exponential = Math.min(3000, 100 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(exponential / 2); // jitter never collapses to zero…
      expect(delay).toBeLessThanOrEqual(exponential); // …and never passes the cap
    }
    expect(redis.options.reconnectOnError?.(new Error('READONLY You can’t write against a replica.'))).toBe(
      2,
    );
    expect(redis.options.reconnectOnError?.(new Error('WRONGTYPE'))).toBe(false);

    const state = stateOf(redis);
    expect(state?.commandTimeoutMs).toBe(5000);
    expect(state?.health?.intervalMs).toBe(30_000);
    expect(state?.endpoint).toBe('rediss://app:***@cache.internal:6380/2');
    expect(getCircuitBreaker(redis)).toMatchObject({ failureThreshold: 5, cooldownMs: 5000 });
  });

  it('explicit options override the defaults', () => {
    const redis = make({
      host: 'h',
      port: 7000,
      connectTimeoutMs: 1500,
      commandTimeoutMs: 800,
      keepAliveMs: 0,
      maxRetriesPerRequest: 1,
      healthCheckIntervalMs: 0,
      circuitBreaker: false,
      reconnect: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 3 },
      connectionName: 'covina-worker-1',
      redisOptions: { enableAutoPipelining: true },
    }) as Redis;
    expect(redis.options).toMatchObject({
      host: 'h',
      port: 7000,
      connectTimeout: 1500,
      keepAlive: 0,
      maxRetriesPerRequest: 1,
      connectionName: 'covina-worker-1',
      enableAutoPipelining: true,
    });
    expect(redis.options.tls).toBeUndefined();
    expect(redis.options.retryStrategy?.(3)).toBeLessThanOrEqual(40);
    expect(redis.options.retryStrategy?.(4)).toBeNull(); // gives up after maxAttempts
    expect(stateOf(redis)?.commandTimeoutMs).toBe(800);
    expect(stateOf(redis)?.health).toBeUndefined();
    expect(getCircuitBreaker(redis)).toBeUndefined();
  });

  it('sentinel by options: master role, sentinel backoff, failover detector, TLS to sentinels too', () => {
    const redis = make({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      sentinelName: 'main',
      sentinelPassword: 'sentinel-secret',
      password: 'master-secret',
      tls: true,
      db: 1,
    }) as Redis;
    expect(redis.options).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'main',
      role: 'master',
      db: 1,
      password: 'master-secret',
      sentinelPassword: 'sentinel-secret',
      failoverDetector: true,
      enableTLSForSentinelMode: true,
      tls: {},
    });
    expect(redis.options.sentinelRetryStrategy?.(40)).toBeLessThanOrEqual(3000);
    expect(stateOf(redis)?.mode).toBe('sentinel');
    expect(stateOf(redis)?.endpoint).toBe('sentinel rediss://:***@main@s1:26379,s2:26380/1');
  });

  it('a cluster from COVINA_REDIS_CLUSTER_NODES: every node gets the connection options', () => {
    const cluster = make({
      env: {
        COVINA_REDIS_CLUSTER_NODES: 'n1:7000,n2:7001',
        COVINA_REDIS_PASSWORD: 'pw',
        COVINA_REDIS_TLS: '1',
      },
    }) as Cluster;
    expect(cluster).toBeInstanceOf(Cluster);
    expect(cluster.options.redisOptions).toMatchObject({
      password: 'pw',
      tls: {},
      connectTimeout: 5000,
      keepAlive: 10_000,
      autoResubscribe: true,
    });
    expect(cluster.options.clusterRetryStrategy?.(40, new Error('down'))).toBeLessThanOrEqual(3000);
    expect(stateOf(cluster)).toMatchObject({
      mode: 'cluster',
      endpoint: 'cluster rediss://:***@n1:7000,n2:7001',
    });
  });
});
