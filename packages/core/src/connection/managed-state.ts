import type { Cluster, Redis } from 'ioredis';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { RedisMode } from './config.js';
import type { HealthCheck } from './health-check.js';
import type { CovinaLogger } from './logger.js';
import type { ConnectionPool, ConnectionPoolOptions } from './pool.js';

/** What COVINA tracks about one client (held in a WeakMap: it dies with the client). */
export interface ManagedState {
  mode: RedisMode;
  /** Redacted target. */
  endpoint: string;
  logger: CovinaLogger;
  redact: (text: string) => string;
  breaker?: CircuitBreaker;
  health?: HealthCheck;
  pool?: ConnectionPool;
  poolOptions: ConnectionPoolOptions;
  commandTimeoutMs: number;
  reconnectCount: number;
  lastError: { message: string; at: number } | null;
  /** When the current outage began (first error after being ready). */
  downSince: number | null;
}

const states = new WeakMap<Redis | Cluster, ManagedState>();

export function stateOf(client: Redis | Cluster): ManagedState | undefined {
  return states.get(client);
}

export function setState(client: Redis | Cluster, state: ManagedState): void {
  states.set(client, state);
}

/** The circuit breaker guarding a client made by `createRedis()` (undefined if none). */
export function getCircuitBreaker(client: Redis | Cluster): CircuitBreaker | undefined {
  return states.get(client)?.breaker;
}
