import { useRedis } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedis } from '../src/connection/index.js';
import { silentLogger } from './connection/capture-logger.js';

/** The socket ioredis is using (not in its public typings). */
const socketOf = (redis: Redis) => (redis as unknown as { stream: NodeJS.EventEmitter }).stream;

describe('a socket that errors twice', () => {
  const ctx = useRedis();

  it('does not throw the second error out of the process; the client keeps working', async () => {
    const redis = createRedis({
      url: ctx.url,
      reconnect: { baseDelayMs: 10, maxDelayMs: 50 },
      healthCheckIntervalMs: 0,
      logger: silentLogger,
    }) as Redis;
    try {
      expect(await redis.ping()).toBe('PONG');
      const socket = socketOf(redis);
      // ioredis listens with `once`: without the guard the second emit has no listener and throws
      // (in production: an uncaught exception, e.g. a TLS handshake answered by two alerts).
      socket.emit('error', new Error('first'));
      expect(() => socket.emit('error', new Error('second'))).not.toThrow();
      expect(await redis.ping()).toBe('PONG');
      // Duplicates (subscribers, pooled blocking connections) are guarded too.
      const duplicate = redis.duplicate();
      duplicate.on('error', () => {}); // the emitted errors, reported as ioredis reports any
      try {
        expect(await duplicate.ping()).toBe('PONG');
        const dupSocket = socketOf(duplicate);
        dupSocket.emit('error', new Error('first'));
        expect(() => dupSocket.emit('error', new Error('second'))).not.toThrow();
      } finally {
        duplicate.disconnect();
      }
    } finally {
      redis.disconnect();
    }
  });
});
