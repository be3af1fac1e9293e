import type { Cluster, Redis } from 'ioredis';
import type { CircuitSnapshot } from './circuit-breaker.js';
import { describeClient, isCluster } from './client-info.js';
import type { RedisMode } from './config.js';
import { connectionPoolStats } from './connection-pool.js';
import { type HealthSnapshot, measurePing } from './health-check.js';
import { stateOf } from './managed-state.js';
import type { PoolStats } from './pool.js';
import { redactSecrets } from './redact.js';

export interface ConnectionStatus {
  /** The client is connected and ready for commands. */
  connected: boolean;
  /** Commands are sent (connected, and the circuit breaker is not failing them fast). */
  available: boolean;
  /** ioredis status: `connecting`, `ready`, `reconnecting`, `end`, … */
  status: string;
  mode: RedisMode;
  /** Where the client connects, password redacted. */
  endpoint: string;
  /** PING round trip measured now, in ms (null when unreachable). */
  latencyMs: number | null;
  /** `redis_version` from INFO (null when unreachable). */
  serverVersion: string | null;
  /** `used_memory` in bytes, summed over a cluster's masters (null when unreachable). */
  usedMemory: number | null;
  /** Reconnect attempts since creation (null for a client COVINA does not manage). */
  reconnectCount: number | null;
  /** The last connection failure, redacted. */
  lastError: { message: string; at: number } | null;
  /** Circuit breaker state (null when there is none). */
  circuit: CircuitSnapshot | null;
  /** Last periodic health check (null when disabled). */
  healthCheck: HealthSnapshot | null;
  /** Extra connections borrowed for blocking commands. */
  connections: PoolStats;
  /** Masters known to a cluster client. */
  clusterMasters?: number;
}

export interface ConnectionStatusOptions {
  /**
   * Longest the live PING and INFO may take, in ms.
   * @default 2000
   */
  timeoutMs?: number;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

async function serverFacts(
  client: Redis | Cluster,
): Promise<{ version: string | null; usedMemory: number | null; masters?: number }> {
  const nodes = isCluster(client) ? client.nodes('master') : [client];
  const infos = await Promise.all(nodes.map((node) => node.info()));
  const version = infos.map((info) => infoField(info, 'redis_version')).find(Boolean) ?? null;
  const memory = infos.map((info) => Number(infoField(info, 'used_memory')));
  const usedMemory =
    memory.length > 0 && memory.every(Number.isFinite) ? memory.reduce((a, b) => a + b, 0) : null;
  return isCluster(client) ? { version, usedMemory, masters: nodes.length } : { version, usedMemory };
}

/** Commands can be sent now: the client is ready and its circuit breaker is closed. Never blocks. */
export function isAvailable(redis: Redis | Cluster): boolean {
  const breaker = stateOf(redis)?.breaker;
  return redis.status === 'ready' && (breaker === undefined || breaker.state === 'closed');
}

/**
 * A snapshot of a client's connection: state, a fresh PING latency, server version and memory,
 * reconnects, last error, circuit breaker and extra connections. Never throws and never waits
 * longer than `timeoutMs`; while the breaker is open it reports without touching Redis.
 */
export async function getConnectionStatus(
  redis: Redis | Cluster,
  options: ConnectionStatusOptions = {},
): Promise<ConnectionStatus> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const state = stateOf(redis);
  const described = state ? undefined : describeClient(redis);
  const redact = state?.redact ?? ((text: string) => redactSecrets(text, described?.secrets ?? []));
  const circuit = state?.breaker?.snapshot() ?? null;

  let latencyMs: number | null = null;
  let facts: Awaited<ReturnType<typeof serverFacts>> = { version: null, usedMemory: null };
  let lastError = state?.lastError ?? null;
  const probe = redis.status !== 'end' && (circuit === null || circuit.state === 'closed');
  if (probe) {
    try {
      [latencyMs, facts] = await withDeadline(
        Promise.all([measurePing(redis), serverFacts(redis)]),
        timeoutMs,
      );
    } catch (error) {
      lastError = { message: redact(error instanceof Error ? error.message : String(error)), at: Date.now() };
    }
  }

  return {
    connected: redis.status === 'ready',
    available: isAvailable(redis),
    status: redis.status,
    mode: state?.mode ?? described?.mode ?? 'standalone',
    endpoint: state?.endpoint ?? described?.endpoint ?? '',
    latencyMs,
    serverVersion: facts.version,
    usedMemory: facts.usedMemory,
    reconnectCount: state ? state.reconnectCount : null,
    lastError,
    circuit,
    healthCheck: state?.health?.snapshot() ?? null,
    connections: connectionPoolStats(redis),
    ...(facts.masters === undefined ? {} : { clusterMasters: facts.masters }),
  };
}
