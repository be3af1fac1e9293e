import { type RedisServerHandle, startRedis } from '@covina/embedded-server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionConfigError,
  createRedis,
  getConnectionStatus,
  RedisAuthError,
  type RedisClient,
  resolveRedisConfig,
} from '../src/connection/index.js';
import { captureLogger, eventually } from './connection/capture-logger.js';

const SECRET = 'Sup3r-s3cret-pw';
const WRONG = 'Wr0ng-s3cret-pw';

describe('passwords never reach logs or errors', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedis({ password: SECRET, logger: { info() {}, warn() {} } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  // What a logger would print: pino's error serializer walks `cause` and copies every own
  // property (ioredis attaches the failed command, AUTH arguments included, to its errors).
  const everything = (logger: ReturnType<typeof captureLogger>, ...values: unknown[]) =>
    [
      logger.text(),
      ...values.map((value) =>
        value instanceof Error
          ? `${value.message} ${JSON.stringify(value)} ${String(value.cause)} ${JSON.stringify(
              pino.stdSerializers.errWithCause(value),
            )} ${JSON.stringify(value.cause, Object.getOwnPropertyNames(value.cause ?? {}))}`
          : JSON.stringify(value),
      ),
    ].join('\n');

  it('connects with the right password and redacts it from the status', async () => {
    const logger = captureLogger();
    const redis: RedisClient = createRedis({
      url: `redis://:${SECRET}@${server.host}:${server.port}`,
      logger,
    });
    try {
      expect(await redis.ping()).toBe('PONG');
      const status = await getConnectionStatus(redis);
      expect(status.endpoint).toBe(`redis://:***@${server.host}:${server.port}/0`);
      expect(everything(logger, status)).not.toContain(SECRET);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps a wrong password out of logs, errors and status while authentication fails', async () => {
    const logger = captureLogger();
    const redis = createRedis({
      host: server.host,
      port: server.port,
      password: WRONG,
      logger,
      maxRetriesPerRequest: 0,
      reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
      healthCheckIntervalMs: 0,
    });
    try {
      const error = await redis.get('k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisAuthError);
      await eventually(() => logger.lines.length > 0);
      const status = await getConnectionStatus(redis, { timeoutMs: 300 });
      const seen = everything(logger, error, status);
      expect(seen).toMatch(/WRONGPASS|NOAUTH|unavailable/i);
      expect(seen).not.toContain(WRONG);
    } finally {
      redis.disconnect();
    }
  });

  it('redacts the password Redis echoes back when none is configured ("ERR AUTH <pw> called without…")', async () => {
    const open = await startRedis({ logger: { info() {}, warn() {} } });
    const logger = captureLogger();
    const redis = createRedis({
      url: `redis://default:${WRONG}@${open.host}:${open.port}`,
      logger,
      healthCheckIntervalMs: 0,
    });
    try {
      // Whether ioredis tolerates it or not, the password must not surface anywhere.
      const outcome = await redis.ping().catch((e: unknown) => e);
      const status = await getConnectionStatus(redis, { timeoutMs: 300 });
      expect(everything(logger, outcome, status)).not.toContain(WRONG);
    } finally {
      redis.disconnect();
      await open.stop();
    }
  });

  it('redacts URLs in configuration errors', () => {
    const error = (() => {
      try {
        resolveRedisConfig({}, { COVINA_REDIS_URL: `redis://:${SECRET}@host:notaport` });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });
});
