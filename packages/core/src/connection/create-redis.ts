import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { reconnectDelay } from './backoff.js';
import { isRedisClient } from './client-info.js';
import { type ResolvedRedisConfig, resolveRedisConfig } from './config.js';
import { guardedConnector } from './guarded-connector.js';
import { defaultLogger } from './logger.js';
import { manageConnection } from './manage-connection.js';
import type { CreateRedisOptions } from './options.js';
import { tlsFilesFromEnv } from './tls-files.js';

/** A client COVINA works with: a standalone/sentinel `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster;

// After a failover the old master answers READONLY: reconnect (to the new master) and resend.
const reconnectOnError = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

function connectionOptions(config: ResolvedRedisConfig, options: CreateRedisOptions): RedisOptions {
  // Files named by the environment, then the options' own fields (which win).
  const tls = config.tls
    ? {
        ...tlsFilesFromEnv(options.env ?? process.env),
        ...(typeof options.tls === 'object' ? options.tls : {}),
      }
    : undefined;
  return {
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(tls === undefined ? {} : { tls }),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    connectTimeout: options.connectTimeoutMs ?? 5000,
    keepAlive: options.keepAliveMs ?? 10_000,
    noDelay: true,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    autoResubscribe: true,
    retryStrategy: (attempt) => reconnectDelay(attempt, options.reconnect),
    reconnectOnError,
  };
}

function build(config: ResolvedRedisConfig, options: CreateRedisOptions): RedisClient {
  const lazyConnect = options.lazyConnect ?? false;
  const common = connectionOptions(config, options);
  switch (config.mode) {
    case 'standalone':
      return new Redis({
        ...common,
        ...guardedConnector('standalone'),
        host: config.host,
        port: config.port,
        db: config.db,
        lazyConnect,
        ...options.redisOptions,
      });
    case 'sentinel':
      return new Redis({
        ...common,
        ...guardedConnector('sentinel'),
        sentinels: config.sentinels,
        name: config.sentinelName,
        role: 'master',
        db: config.db,
        lazyConnect,
        ...(config.sentinelPassword === undefined ? {} : { sentinelPassword: config.sentinelPassword }),
        ...(config.tls ? { enableTLSForSentinelMode: true } : {}),
        sentinelRetryStrategy: (attempt) => reconnectDelay(attempt, options.reconnect),
        // Subscribe to the sentinels' +switch-master: reconnect to the new master as soon as a
        // failover is announced, not when the old one first answers READONLY.
        failoverDetector: true,
        ...options.redisOptions,
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        lazyConnect,
        enableOfflineQueue: common.enableOfflineQueue ?? true,
        clusterRetryStrategy: (attempt) => reconnectDelay(attempt, options.reconnect),
        slotsRefreshTimeout: common.connectTimeout ?? 5000,
        redisOptions: { ...common, ...guardedConnector('standalone'), ...options.redisOptions },
        ...options.clusterOptions,
      };
      return new Cluster(config.nodes, clusterOptions);
    }
  }
}

/**
 * Creates the ioredis client every COVINA package talks through, configured from `options`
 * or the `COVINA_REDIS_*` environment: a `Redis` (standalone or sentinel) or a `Cluster`.
 *
 * Reconnects with capped, jittered exponential backoff and keeps its subscriptions; commands
 * fail within a bounded time while Redis is down (`commandTimeoutMs`, `maxRetriesPerRequest`),
 * and fail fast once the circuit breaker opens; a periodic PING records latency.
 * Passwords are redacted from every log line and error.
 *
 * Given an existing client, returns it unchanged (see `manageConnection` to add the above).
 */
export function createRedis<C extends RedisClient>(client: C): C;
export function createRedis(options?: CreateRedisOptions): RedisClient;
export function createRedis(optionsOrClient: CreateRedisOptions | RedisClient = {}): RedisClient {
  if (isRedisClient(optionsOrClient)) return optionsOrClient;
  const options = optionsOrClient;
  const config = resolveRedisConfig(options, options.env ?? process.env);
  const logger = options.logger ?? defaultLogger();
  const client = build(config, options);
  logger.debug(
    { endpoint: config.endpoint, mode: config.mode, source: config.source },
    'Redis client created',
  );
  return manageConnection(client, {
    endpoint: config.endpoint,
    mode: config.mode,
    secrets: config.secrets,
    logger,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
    ...(options.healthCheckIntervalMs === undefined
      ? {}
      : { healthCheckIntervalMs: options.healthCheckIntervalMs }),
    ...(options.circuitBreaker === undefined ? {} : { circuitBreaker: options.circuitBreaker }),
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  });
}
