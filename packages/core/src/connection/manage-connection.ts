import { type Cluster, Command, type Redis } from 'ioredis';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { describeClient, isCluster } from './client-info.js';
import { scrubError } from './command-errors.js';
import type { RedisMode } from './config.js';
import { installGuard, probeCommands } from './guard.js';
import { HealthCheck } from './health-check.js';
import { type CovinaLogger, defaultLogger } from './logger.js';
import { type ManagedState, setState, stateOf } from './managed-state.js';
import type { ConnectionPoolOptions } from './pool.js';
import { redactSecrets } from './redact.js';

export interface ManageConnectionOptions {
  /**
   * See `CreateRedisOptions.commandTimeoutMs`.
   * @default 5000
   */
  commandTimeoutMs?: number;
  /**
   * See `CreateRedisOptions.healthCheckIntervalMs`.
   * @default 30000
   */
  healthCheckIntervalMs?: number;
  /** Breaker options, `false` for none, or a breaker to share (pooled duplicates share their parent's). */
  circuitBreaker?: CircuitBreakerOptions | false | CircuitBreaker;
  /** See `CreateRedisOptions.connections`. */
  connections?: ConnectionPoolOptions;
  /**
   * Where connection events go.
   * @default pino on stderr at COVINA_LOG_LEVEL, else silent
   */
  logger?: CovinaLogger;
  /** Redacted description of the target, when the caller knows better than the client's options. */
  endpoint?: string;
  mode?: RedisMode;
  /** Extra secrets to redact (passwords). */
  secrets?: string[];
}

/**
 * Adds COVINA's connection management to a client: command timeout, typed errors, circuit
 * breaker, health check, reconnect tracking and redacted logs. `createRedis()` calls it; call
 * it yourself on a client you built. Idempotent: a managed client is returned as is.
 */
export function manageConnection<C extends Redis | Cluster>(
  client: C,
  options: ManageConnectionOptions = {},
): C {
  if (stateOf(client)) return client;
  const described = describeClient(client);
  const secrets = [...described.secrets, ...(options.secrets ?? [])];
  const redact = (text: string) => redactSecrets(text, secrets);
  const logger = options.logger ?? defaultLogger();
  const endpoint = options.endpoint ?? described.endpoint;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5000;

  const breaker =
    options.circuitBreaker instanceof CircuitBreaker
      ? options.circuitBreaker
      : options.circuitBreaker === false
        ? undefined
        : new CircuitBreaker(options.circuitBreaker, {
            onStateChange: (to, snapshot) => {
              const fields = {
                endpoint,
                failures: snapshot.consecutiveFailures,
                cooldownMs: breaker?.cooldownMs,
              };
              if (to === 'open') logger.warn(fields, 'Redis circuit open: failing commands fast');
              else if (to === 'closed') {
                logger.info({ endpoint }, 'Redis circuit closed: commands flow again');
                markUp();
              } else logger.debug({ endpoint }, 'Redis circuit half-open: probing');
            },
          });

  const state: ManagedState = {
    mode: options.mode ?? described.mode,
    endpoint,
    logger,
    redact,
    poolOptions: options.connections ?? {},
    commandTimeoutMs,
    reconnectCount: 0,
    lastError: null,
    downSince: null,
    ...(breaker ? { breaker } : {}),
  };
  setState(client, state);

  // Declared before the breaker's hooks can run (they only run after a command fails).
  function markUp() {
    if (state.downSince === null) return;
    logger.info({ endpoint, downMs: Date.now() - state.downSince }, 'Redis connection restored');
    state.downSince = null;
  }

  const noteDown = (message: string) => {
    state.lastError = { message, at: Date.now() };
    if (state.downSince === null) {
      state.downSince = Date.now();
      logger.warn({ endpoint, error: message }, 'Redis connection failing');
    } else {
      logger.debug({ endpoint, error: message }, 'Redis connection still failing');
    }
  };
  const noteError = (error: unknown) => {
    scrubError(error, redact);
    noteDown(redact(error instanceof Error ? error.message : String(error)));
  };

  installGuard(client, {
    commandTimeoutMs,
    endpoint,
    redact,
    onUnreachable: noteError,
    ...(breaker ? { breaker } : {}),
    ...(described.username ? { username: described.username } : {}),
  });
  // Only the breaker's creator probes: a shared breaker is probed by its parent client.
  if (breaker && !(options.circuitBreaker instanceof CircuitBreaker)) {
    breaker.setProbe(() => {
      const ping = new Command('ping', [], { replyEncoding: 'utf8' });
      probeCommands.add(ping);
      ping.setTimeout(commandTimeoutMs > 0 ? commandTimeoutMs : 5000);
      (client as unknown as { sendCommand(command: Command): unknown }).sendCommand(ping);
      return ping.promise;
    });
  }

  const healthCheckIntervalMs = options.healthCheckIntervalMs ?? 30_000;
  if (healthCheckIntervalMs > 0) {
    const due = () => breaker === undefined || breaker.state === 'closed';
    state.health = new HealthCheck(client, healthCheckIntervalMs, noteError, markUp, due);
    state.health.start();
  }

  // ioredis prints "Unhandled error event" without a listener: log instead (redacted, once per outage).
  client.on('error', noteError);
  if (isCluster(client)) client.on('node error', (error: unknown) => noteError(error));
  client.on('reconnecting', () => {
    state.reconnectCount++;
    // A dropped connection often reconnects at the first try, without any 'error' event:
    // still an outage worth a log line and a trace in the status.
    if (state.downSince === null) noteDown('connection lost; reconnecting');
  });
  client.on('ready', () => {
    markUp();
    state.health?.start(); // again, if the client was ended and connected anew
  });
  client.once('end', () => {
    state.health?.stop();
    if (!(options.circuitBreaker instanceof CircuitBreaker)) breaker?.dispose();
    state.pool?.close();
  });
  return client;
}
