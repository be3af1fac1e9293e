import { useFaultRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CreateRedisOptions,
  createRedis,
  getConnectionStatus,
  isAvailable,
  isCovinaError,
  type RedisClient,
  RedisTimeoutError,
  RedisUnavailableError,
} from '../src/connection/index.js';
import { captureLogger, eventually, silentLogger } from './connection/capture-logger.js';

// A "did not hang" guard (seconds), not a speed goal.
const NO_HANG_MS = 3_000;

describe('createRedis through server faults', () => {
  const fault = useFaultRedis();
  const clients: RedisClient[] = [];
  afterEach(async () => {
    fault.resume();
    for (const client of clients.splice(0)) client.disconnect();
    // Leave the server running for the next test.
    await eventually(async () => {
      try {
        const probe = createRedis({
          url: fault.url,
          circuitBreaker: false,
          healthCheckIntervalMs: 0,
          logger: silentLogger,
        });
        clients.push(probe);
        return (await probe.ping()) === 'PONG';
      } catch {
        await fault.restart().catch(() => {});
        return false;
      }
    });
    for (const client of clients.splice(0)) client.disconnect();
  });

  const connect = (options: CreateRedisOptions = {}) => {
    const client = createRedis({
      url: fault.url,
      reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
      maxRetriesPerRequest: 2,
      healthCheckIntervalMs: 0,
      circuitBreaker: false,
      logger: silentLogger,
      ...options,
    });
    clients.push(client);
    return client;
  };

  it('fails a command sent while the server is down with RedisUnavailableError, not a hang', async () => {
    const logger = captureLogger();
    const redis = connect({ logger, commandTimeoutMs: 20_000 });
    await redis.set('k', 'v');
    await fault.kill();

    const error = await redis.get('k').catch((e: unknown) => e);
    // The retry limit ended it (a timeout would be RedisTimeoutError after 20 s).
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as RedisUnavailableError).context).toMatchObject({
      reason: 'disconnected',
      command: 'get',
    });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(isAvailable(redis)).toBe(false);
    expect(
      logger.lines.some((line) => line.level === 'warn' && line.msg === 'Redis connection failing'),
    ).toBe(true);
  });

  it('fails a command in flight when the server dies under it', async () => {
    const redis = connect({ commandTimeoutMs: 20_000 });
    await redis.ping();
    // A script that keeps the server busy for ~2 s; the server is killed while it runs.
    const busy = redis
      .eval(
        "local t = redis.call('TIME') local s = t[1] + 2 repeat t = redis.call('TIME') until t[1] + 0 >= s return 1",
        0,
      )
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fault.kill();
    const error = await busy;
    expect(isCovinaError(error)).toBe(true);
    expect(error).toBeInstanceOf(RedisUnavailableError);
  });

  it('a GET in flight when the server is killed fails at once (no wait for the 20 s timeout)', async () => {
    const redis = connect({ commandTimeoutMs: 20_000 });
    await redis.set('k', 'v');
    fault.pause(); // the GET is written but not answered…
    const started = Date.now();
    const inFlight = redis.get('k').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fault.kill(); // …and the server dies under it
    const error = await inFlight;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as RedisUnavailableError).context).toMatchObject({
      command: 'get',
      reason: 'disconnected',
    });
    expect(Date.now() - started).toBeLessThan(NO_HANG_MS);
  });

  it('recovers after a restart and keeps its subscriptions (channels and patterns)', async () => {
    const subscriber = connect({ circuitBreaker: { failureThreshold: 2, cooldownMs: 100 } });
    const publisher = connect();
    const received: string[] = [];
    subscriber.on('message', (channel: string, message: string) => received.push(`${channel}:${message}`));
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) =>
      received.push(`p ${channel}:${message}`),
    );
    await subscriber.subscribe('news');
    await subscriber.psubscribe('jobs.*');
    expect(await publisher.publish('news', 'before')).toBe(1);
    await eventually(() => received.includes('news:before'));
    expect((await getConnectionStatus(subscriber)).reconnectCount).toBe(0);

    await fault.kill();
    await fault.restart();
    // Resubscribed once the subscriber reconnects: publishes reach it again, on both kinds.
    await eventually(async () => (await publisher.publish('news', 'after').catch(() => 0)) === 1);
    await eventually(async () => (await publisher.publish('jobs.done', 'after').catch(() => 0)) === 1);
    await eventually(() => received.includes('news:after') && received.includes('p jobs.done:after'));
    expect(await publisher.set('alive', '1')).toBe('OK');

    // The status reports the outage and the recovery.
    const status = await getConnectionStatus(publisher);
    expect(status).toMatchObject({ connected: true, available: true });
    expect(status.reconnectCount).toBeGreaterThanOrEqual(1);
    expect(status.lastError?.message).toBeTruthy();
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('times a command out with RedisTimeoutError while the server is frozen, then carries on', async () => {
    const redis = connect({ commandTimeoutMs: 300 });
    await redis.set('k', 'v');
    fault.pause();
    const error = await redis.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisTimeoutError);
    expect((error as RedisTimeoutError).context).toMatchObject({ command: 'get', timeoutMs: 300 });
    fault.resume();
    expect(await redis.get('k')).toBe('v');
  });

  it('never applies the command timeout to blocking commands', async () => {
    const redis = connect({ commandTimeoutMs: 200 });
    const started = Date.now();
    expect(await redis.blpop('empty-list', 0.6)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });
});
