export * from '../errors/index.js';
export * from '../scripts/index.js';
export { type BackoffOptions, reconnectDelay } from './backoff.js';
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitSnapshot,
  type CircuitState,
} from './circuit-breaker.js';
export { isUnreachable } from './command-errors.js';
export { parseRedisUrl, type RedisMode, type ResolvedRedisConfig, resolveRedisConfig } from './config.js';
export { getConnectionPool } from './connection-pool.js';
export { createRedis, type RedisClient } from './create-redis.js';
export type { HealthSnapshot } from './health-check.js';
export { type CovinaLogger, defaultLogger } from './logger.js';
export { type ManageConnectionOptions, manageConnection } from './manage-connection.js';
export { getCircuitBreaker } from './managed-state.js';
export type { CreateRedisOptions, NodeAddress } from './options.js';
export {
  ConnectionPool,
  type ConnectionPoolOptions,
  type PooledConnection,
  type PoolStats,
} from './pool.js';
export { redactSecrets, redactUrl } from './redact.js';
export {
  type ConnectionStatus,
  type ConnectionStatusOptions,
  getConnectionStatus,
  isAvailable,
} from './status.js';
export { subscribeChannels, unsubscribeChannels } from './subscribe.js';
