import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisDataDirInUseError, startRedis } from '../src/index.js';
import { quiet } from './helpers.js';

/**
 * everysec may postpone the AOF write() by up to 2 s while a background fsync runs (a busy disk),
 * and a SIGKILL loses what was not yet written. The guarantee under test is "what reached the AOF
 * survives", so wait until Redis has written its buffer.
 */
async function aofWritten(redis: Redis): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const info = await redis.info('persistence');
    if (/\baof_buffer_length:0\b/.test(info)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the AOF buffer was not written within 5 s');
}

describe('startRedis({ persistent })', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'covina-persistent-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data through a SIGKILL and a restart (AOF everysec), and through stop and a new start', async () => {
    const server = await startRedis({ persistent: dir, logger: quiet });
    try {
      const redis = new Redis(server.url, { maxRetriesPerRequest: 20 });
      redis.on('error', () => {}); // refused connections while the server is down
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
      await redis.set('survivor', 'yes');
      await redis.hset('h', { a: '1', b: '2' });
      await aofWritten(redis);

      await server.kill(); // no shutdown save: only the AOF can bring this back
      await server.restart();
      expect(await redis.get('survivor')).toBe('yes');
      expect(await redis.hgetall('h')).toEqual({ a: '1', b: '2' });
      redis.disconnect();
    } finally {
      await server.stop();
    }
    await access(dir); // a persistent dir is never removed

    const again = await startRedis({ persistent: dir, logger: quiet });
    const redis = new Redis(again.url);
    try {
      expect(await redis.get('survivor')).toBe('yes');
    } finally {
      redis.disconnect();
      await again.stop();
    }
  });

  it('refuses a data dir in use by a server whose owner still runs', async () => {
    const server = await startRedis({ persistent: dir, logger: quiet });
    try {
      const failure = await startRedis({ persistent: dir, logger: quiet }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(RedisDataDirInUseError);
      expect(failure).toMatchObject({
        code: 'E_REDIS_DATA_DIR_IN_USE',
        serverPid: server.pid,
        ownerPid: process.pid,
      });
      const redis = new Redis(server.url);
      expect(await redis.ping()).toBe('PONG'); // untouched
      redis.disconnect();
    } finally {
      await server.stop();
    }
  });
});
