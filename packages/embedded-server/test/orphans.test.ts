import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../src/index.js';
import { isAlive } from '../src/process-state.js';
import { childrenOf, eventually, recordingLogger } from './helpers.js';
import { exitOf, killLeftovers, readLines, spawnTs } from './spawn.js';

afterEach(killLeftovers);

const holdServer = fileURLToPath(new URL('./fixtures/hold-server.ts', import.meta.url));

interface Held {
  pid: number;
  port: number;
  dir: string;
}

describe('no orphans', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'covina-orphan-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a server exits within seconds when its parent is SIGKILLed, and its ephemeral dir goes too', async () => {
    const parent = spawnTs(holdServer);
    const [line] = await readLines(parent, 1);
    const held = JSON.parse(line ?? '') as Held;
    expect(await isAlive(held.pid)).toBe(true);

    parent.kill('SIGKILL');
    await exitOf(parent);
    expect(await eventually(async () => !(await isAlive(held.pid)), 6_000)).toBe(true);
    const dirGone = async () =>
      access(held.dir).then(
        () => false,
        () => true,
      );
    expect(await eventually(dirGone, 6_000)).toBe(true);
  });

  it('a stale server left in a persistent dir is stopped by the next start there, data kept', async () => {
    const parent = spawnTs(holdServer, [dataDir]);
    const [line] = await readLines(parent, 1);
    const held = JSON.parse(line ?? '') as Held;
    const redis = new Redis({ port: held.port });
    await redis.set('kept', 'yes');
    redis.disconnect();

    // Kill the watchdog too, so nothing stops the server: it is now stale (like after a crash of
    // the whole process tree that spared redis-server).
    for (const child of await childrenOf(parent.pid ?? -1))
      if (child.comm === 'sh') process.kill(child.pid, 'SIGKILL');
    parent.kill('SIGKILL');
    await exitOf(parent);
    await new Promise((r) => setTimeout(r, 300));
    expect(await isAlive(held.pid)).toBe(true);

    const logger = recordingLogger();
    const server = await startRedis({ persistent: dataDir, logger }).catch((err: unknown) => {
      process.kill(held.pid, 'SIGKILL'); // nothing else would ever stop it
      throw err;
    });
    try {
      expect(await isAlive(held.pid)).toBe(false);
      expect(logger.lines.some((l) => l.level === 'warn' && l.msg?.includes('stale'))).toBe(true);
      const client = new Redis(server.url);
      expect(await client.get('kept')).toBe('yes');
      client.disconnect();
    } finally {
      await server.stop();
    }
  });
});
