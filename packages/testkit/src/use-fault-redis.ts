import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RedisServerHandle,
  type StartRedisOptions,
  silentLogger,
  startRedis,
} from '@covina/embedded-server';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface FaultRedisContext {
  /** The dedicated server (kill, pause, restart it freely: no other test uses it). */
  readonly server: RedisServerHandle;
  readonly url: string;
  /** SIGKILL the server. */
  kill(): Promise<void>;
  /** Start it again on the same port (after `kill()` or while running). */
  restart(): Promise<void>;
  /** SIGSTOP: sockets stay open, nothing is answered. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** `CLIENT PAUSE ms ALL`: the server stalls every client for `ms` but stays alive. */
  clientPause(ms: number): Promise<void>;
}

/** Our own child: reaped as soon as it exits, so signal 0 is a reliable liveness check. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface FaultRedisOptions extends Omit<StartRedisOptions, 'persistent'> {
  /**
   * Give the server a temp data dir (AOF everysec + RDB) so data survives `kill()` and `restart()`.
   * @default false
   */
  persistent?: boolean;
}

/**
 * A Redis server of this file's own (or this `describe`'s), for fault tests that kill, pause or
 * restart it. Started in `beforeAll`, stopped in `afterAll`. After each test it is resumed and,
 * if a test left it dead, restarted: every test starts with a live server.
 */
export function useFaultRedis(options: FaultRedisOptions = {}): FaultRedisContext {
  let server: RedisServerHandle | undefined;
  let dataDir: string | undefined;
  const { persistent, ...serverOptions } = options;

  beforeAll(async () => {
    if (persistent) dataDir = await mkdtemp(join(tmpdir(), 'covina-fault-'));
    server = await startRedis({
      logger: silentLogger,
      ...serverOptions,
      ...(dataDir ? { persistent: dataDir } : {}),
    });
  });

  afterEach(async () => {
    if (!server) return;
    server.resume();
    if (!isRunning(server.pid)) await server.restart();
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const running = (): RedisServerHandle => {
    if (!server) throw new Error('useFaultRedis(): the server exists only inside tests');
    return server;
  };

  return {
    get server() {
      return running();
    },
    get url() {
      return running().url;
    },
    kill: () => running().kill(),
    restart: () => running().restart(),
    pause: () => running().pause(),
    resume: () => running().resume(),
    async clientPause(ms) {
      const admin = new Redis(running().url, { maxRetriesPerRequest: 1 });
      try {
        await admin.call('CLIENT', 'PAUSE', String(ms), 'ALL');
      } finally {
        admin.disconnect();
      }
    },
  };
}
