import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { BackoffOptions } from './backoff.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { CovinaLogger } from './logger.js';
import type { ConnectionPoolOptions } from './pool.js';

/** A cluster or sentinel node address. */
export interface NodeAddress {
  host: string;
  port: number;
}

/**
 * Options of {@link createRedis}. Where no server is named (`url`, `host`, `port`,
 * `clusterNodes`, `sentinels`), the `COVINA_REDIS_*` environment variables are read.
 */
export interface CreateRedisOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  url?: string;
  /**
   * Server host name or address.
   * @default 'localhost'
   */
  host?: string;
  /**
   * Server port.
   * @default 6379
   */
  port?: number;
  /** ACL user name (Redis 6+). */
  username?: string;
  /** Password; redacted from every log line and error message. */
  password?: string;
  /**
   * Logical database (standalone and sentinel only).
   * @default 0
   */
  db?: number;
  /** Connect over TLS: `true`, or Node TLS options (CA, certificates, servername). */
  tls?: boolean | TlsOptions;
  /** Seed nodes of a Redis Cluster (`'host:port'`, a URL or an address): returns a `Cluster`. */
  clusterNodes?: Array<string | NodeAddress>;
  /** Sentinels to ask for the master named `sentinelName` (high availability without cluster). */
  sentinels?: NodeAddress[];
  /**
   * Name of the master the sentinels watch.
   * @default 'mymaster'
   */
  sentinelName?: string;
  /** Password of the sentinels themselves, when they require one. */
  sentinelPassword?: string;
  /** Shown by `CLIENT LIST` (`covina-worker-3`): helps find who holds connections. */
  connectionName?: string;
  /**
   * Give up a connection attempt after this long, in ms.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * Reject a command that got no reply after this long, in ms, with `RedisTimeoutError`
   * (time in the offline queue counts). Never applied to blocking commands (BLPOP, XREAD BLOCK…),
   * which wait as long as they asked to. 0 disables.
   * @default 5000
   */
  commandTimeoutMs?: number;
  /**
   * While disconnected, a command waits in the offline queue for this many reconnect attempts,
   * then fails with `RedisUnavailableError`. Keeps short blips invisible and outages bounded.
   * @default 3
   */
  maxRetriesPerRequest?: number;
  /**
   * Queue commands while (re)connecting instead of failing them at once.
   * @default true
   */
  enableOfflineQueue?: boolean;
  /**
   * TCP keepalive initial delay, in ms (detects dead peers behind NATs and load balancers). 0 disables.
   * @default 10000
   */
  keepAliveMs?: number;
  /** Reconnect backoff (exponential, with jitter and a cap). */
  reconnect?: BackoffOptions;
  /**
   * PING the server this often, in ms, recording latency for `getConnectionStatus()` and
   * feeding the circuit breaker. The timer never keeps the process alive. 0 disables.
   * @default 30000
   */
  healthCheckIntervalMs?: number;
  /** Fail fast while Redis is down; `false` disables the breaker. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Limits and warnings for the extra connections blocking commands borrow. */
  connections?: ConnectionPoolOptions;
  /**
   * Where connection events go (pino or anything with its methods).
   * @default pino on stderr at COVINA_LOG_LEVEL, else silent
   */
  logger?: CovinaLogger;
  /**
   * Do not connect until the first command.
   * @default false
   */
  lazyConnect?: boolean;
  /** Extra ioredis options, applied last (escape hatch; for a Cluster: its nodes' options). */
  redisOptions?: RedisOptions;
  /** Extra ioredis Cluster options, applied last. */
  clusterOptions?: ClusterOptions;
  /**
   * Environment read when no server is named.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
}
