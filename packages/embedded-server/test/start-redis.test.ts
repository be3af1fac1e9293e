import { access, readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  ping,
  RedisOptionsError,
  type RedisServerHandle,
  RedisStartError,
  startRedis,
} from '../src/index.js';
import { isAlive } from '../src/process-state.js';
import { childrenOf, quiet, recordingLogger } from './helpers.js';

const started: RedisServerHandle[] = [];
async function start(options: Parameters<typeof startRedis>[0] = {}) {
  const server = await startRedis({ logger: quiet, ...options });
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('startRedis', () => {
  it('starts an ephemeral server that saves nothing, and removes its dir on stop', async () => {
    const server = await start();
    const redis = new Redis(server.url);
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      expect(await redis.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      expect(server.persistent).toBe(false);
      expect(await exists(server.dir)).toBe(true);
    } finally {
      redis.disconnect();
    }
    const pid = server.pid;
    await server.stop();
    await server.stop(); // idempotent
    expect(await isAlive(pid)).toBe(false);
    expect(await exists(server.dir)).toBe(false);
    expect(await ping(server)).toBe(false);
  });

  it('logs which binary it runs and its version', async () => {
    const logger = recordingLogger();
    const server = await start({ logger });
    const ready = logger.lines.find((l) => l.msg === 'redis-server ready');
    expect(ready?.obj).toMatchObject({
      binary: server.binary.path,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      port: server.port,
      pid: server.pid,
    });
    expect(server.binary.source).toBe('path');
  });

  it('starts six servers at once on six different ports, each answered by its own process', async () => {
    const servers = await Promise.all(Array.from({ length: 6 }, () => start()));
    expect(new Set(servers.map((s) => s.port)).size).toBe(6);
    for (const server of servers) {
      const redis = new Redis(server.url);
      const info = await redis.info('server');
      redis.disconnect();
      expect(info).toContain(`process_id:${server.pid}\r`);
    }
  });

  it('requires the password, and never shows it in ps, logs or log tails', async () => {
    const password = 'p@ss word"\\x';
    const logger = recordingLogger();
    const server = await start({ password, logger });
    const anonymous = new Redis({ host: server.host, port: server.port, enableReadyCheck: false });
    await expect(anonymous.get('k')).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    const authed = new Redis(server.url);
    expect(await authed.ping()).toBe('PONG');
    authed.disconnect();
    const cmdline = await readFile(`/proc/${server.pid}/cmdline`, 'utf8');
    expect(cmdline).not.toContain(password);
    expect(JSON.stringify(logger.lines)).not.toContain(password);
    expect(server.logTail()).not.toContain(password);
  });

  it('applies maxmemory, its policy and extra arguments', async () => {
    const server = await start({ maxmemory: '2mb', maxmemoryPolicy: 'allkeys-lru', args: ['--hz', '50'] });
    const redis = new Redis(server.url);
    try {
      expect(await redis.config('GET', 'maxmemory')).toEqual(['maxmemory', String(2 * 1024 * 1024)]);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
      expect(await redis.config('GET', 'hz')).toEqual(['hz', '50']);
    } finally {
      redis.disconnect();
    }
  });

  it('uses the port it is given, and fails clearly when that port is taken', async () => {
    const port = await freePort();
    const first = await start({ port });
    expect(first.port).toBe(port);
    const failure = await start({ port }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RedisStartError);
    expect((failure as RedisStartError).code).toBe('E_REDIS_START');
    expect((failure as RedisStartError).port).toBe(port);
    expect((failure as RedisStartError).logTail).toMatch(/Address already in use/);
    expect(await ping(first)).toBe(true);
  });

  it('fails with the log tail when redis-server rejects its configuration', async () => {
    const failure = await start({ args: ['--no-such-directive', 'x'] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RedisStartError);
    expect((failure as Error).message).toMatch(/exited while starting/);
    expect((failure as Error).message).toMatch(/Bad directive/);
  });

  it('fails after startTimeoutMs when no PONG comes in time, and leaves no process behind', async () => {
    const failure = await start({ startTimeoutMs: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RedisStartError);
    expect((failure as Error).message).toMatch(/did not answer PING within 1 ms/);
    const children = await childrenOf(process.pid);
    expect(children.filter((c) => c.comm.startsWith('redis-server'))).toEqual([]);
  });

  it('rejects bad options with a typed error naming the field', async () => {
    const cases: Array<[Parameters<typeof startRedis>[0], string]> = [
      [{ port: 70_000 }, 'port'],
      [{ port: 1.5 }, 'port'],
      [{ password: '' }, 'password'],
      [{ maxmemory: '2 lots' }, 'maxmemory'],
      [{ maxmemoryPolicy: 'lru' as never }, 'maxmemoryPolicy'],
      [{ startTimeoutMs: -1 }, 'startTimeoutMs'],
      [{ bind: '127.0.0.1 ::1' }, 'bind'],
    ];
    for (const [options, field] of cases) {
      const failure = await startRedis(options).catch((e: unknown) => e);
      expect(failure, field).toBeInstanceOf(RedisOptionsError);
      expect((failure as RedisOptionsError).field).toBe(field);
    }
  });

  it('restarts on the same port with a new process; an ephemeral server comes back empty', async () => {
    const server = await start();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 20 });
    redis.on('error', () => {}); // ECONNREFUSED while it restarts
    await redis.set('k', 'v');
    const [port, pid] = [server.port, server.pid];
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(pid);
    expect(await isAlive(pid)).toBe(false);
    expect(await redis.get('k')).toBeNull(); // the client reconnected by itself
    redis.disconnect();
  });

  it('kill() is a SIGKILL: the process is gone at once', async () => {
    const server = await start();
    const pid = server.pid;
    await server.kill();
    expect(await isAlive(pid)).toBe(false);
    expect(await ping(server)).toBe(false);
  });

  it('pause() stops answering while keeping the port; resume() answers again', async () => {
    const server = await start();
    const redis = new Redis(server.url, { commandTimeout: 1_000, maxRetriesPerRequest: 0 });
    expect(await redis.ping()).toBe('PONG');
    server.pause();
    try {
      await expect(redis.ping()).rejects.toThrow(/timed out/);
    } finally {
      server.resume();
    }
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });
});
