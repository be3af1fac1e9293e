import { useRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionPoolExhaustedError,
  createRedis,
  getCircuitBreaker,
  getConnectionPool,
  getConnectionStatus,
  isAvailable,
  type RedisClient,
} from '../src/connection/index.js';
import { captureLogger, silentLogger } from './connection/capture-logger.js';

describe('connection status', () => {
  const ctx = useRedis();
  const clients: RedisClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  const connect = (options = {}) => {
    const client = createRedis({ url: ctx.url, logger: silentLogger, ...options });
    clients.push(client);
    return client;
  };

  it('reports a live connection: latency, server version, memory, breaker and health check', async () => {
    const redis = connect({ healthCheckIntervalMs: 60_000 });
    await redis.ping();
    const status = await getConnectionStatus(redis);
    expect(status).toMatchObject({
      connected: true,
      available: true,
      status: 'ready',
      mode: 'standalone',
      reconnectCount: 0,
      lastError: null,
      circuit: { state: 'closed', consecutiveFailures: 0 },
      healthCheck: { ok: null },
      connections: { created: 0, inUse: 0 },
    });
    expect(status.endpoint).toBe(ctx.url.replace(/\/?$/, '/0'));
    expect(status.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.usedMemory).toBeGreaterThan(0);
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    expect(isAvailable(redis)).toBe(true);
  });

  it('runs the periodic health check and records its latency', async () => {
    const redis = connect({ healthCheckIntervalMs: 30 });
    await redis.ping();
    const deadline = Date.now() + 5000;
    while ((await getConnectionStatus(redis)).healthCheck?.ok !== true && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { healthCheck } = await getConnectionStatus(redis);
    expect(healthCheck?.ok).toBe(true);
    expect(healthCheck?.lastLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a closed client without touching the network', async () => {
    const redis = connect();
    await redis.quit();
    const status = await getConnectionStatus(redis);
    expect(status).toMatchObject({ connected: false, available: false, status: 'end', latencyMs: null });
    expect(isAvailable(redis)).toBe(false);
  });

  it('returns an existing client as is, and still reports on it', async () => {
    const own = ctx.client();
    expect(createRedis(own)).toBe(own);
    await own.ping();
    const status = await getConnectionStatus(own);
    expect(status).toMatchObject({ connected: true, circuit: null, reconnectCount: null, healthCheck: null });
    expect(status.serverVersion).toMatch(/^\d+\./);
  });

  it('tracks extra connections for blocking commands and warns near the limit', async () => {
    const logger = captureLogger();
    const redis = connect({ logger, connections: { max: 2, warnRatio: 0.5, acquireTimeoutMs: 150 } });
    const pool = getConnectionPool(redis);
    expect(getConnectionPool(redis)).toBe(pool);

    const first = await pool.acquire();
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    const popped = first.redis.blpop(ctx.key('queue'), 5);
    await redis.rpush(ctx.key('queue'), 'job-1');
    expect(await popped).toEqual([ctx.key('queue'), 'job-1']);

    const second = await pool.acquire();
    expect(pool.stats()).toMatchObject({ created: 2, open: 2, inUse: 2, idle: 0, max: 2 });
    await expect(pool.acquire()).rejects.toBeInstanceOf(ConnectionPoolExhaustedError);

    const waiting = pool.acquire();
    first.release();
    const third = await waiting;
    expect(third.redis).toBe(first.redis); // handed over, not a new connection
    third.release();
    second.release();
    expect(pool.stats()).toMatchObject({ created: 2, inUse: 0, idle: 2 });
    // One warning per climb: it re-arms once use drops below the mark, and says what it counts.
    const warnings = () => logger.lines.filter((line) => line.level === 'warn');
    expect(warnings()).toHaveLength(1);
    (await pool.acquire()).release();
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]?.fields).toMatchObject({ inUse: 1, max: 2, created: 2 });
    expect((await getConnectionStatus(redis)).connections).toMatchObject({ created: 2, inUse: 0 });

    // `use` releases even when the callback throws.
    await expect(pool.use(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(pool.stats().inUse).toBe(0);
  });

  it('does not reuse a connection that was left subscribed', async () => {
    const redis = connect();
    const pool = getConnectionPool(redis);
    const lease = await pool.acquire();
    await lease.redis.subscribe(ctx.key('channel'));
    lease.release();
    expect(pool.stats()).toMatchObject({ idle: 0, open: 0 });
    const next = await pool.acquire();
    expect(next.redis).not.toBe(lease.redis);
    expect(await next.redis.ping()).toBe('PONG');
    next.release();
  });

  it("gives pooled connections the parent's breaker, and closes them with the parent", async () => {
    const redis = connect();
    const lease = await getConnectionPool(redis).acquire();
    expect(lease.redis).toBeInstanceOf(Redis);
    expect(getCircuitBreaker(lease.redis)).toBe(getCircuitBreaker(redis));
    expect(getCircuitBreaker(redis)).toBeDefined();
    lease.release();
    // Closing the base client closes its pool too.
    redis.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lease.redis.status).toBe('end');
  });
});
