import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ResolvedBinary, resolveBinary } from './binary.js';
import { recordOwner, releaseDataDir, takeOverDataDir } from './data-dir-owner.js';
import { RedisStartError } from './errors.js';
import { defaultLogger, type Logger } from './logger.js';
import type { RedisServerHandle, StartRedisOptions } from './options.js';
import { freePort } from './ports.js';
import { secretConfig, serverArgs } from './server-config.js';
import { ServerProcess } from './server-process.js';
import { validateStartOptions } from './validate.js';

/** How many fresh ports to try when other processes keep taking the one we picked. */
const PORT_RACE_RETRIES = 8;

/** Clients cannot connect to a wildcard address: point them at loopback instead. */
function clientHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '*') return '127.0.0.1';
  if (bind === '::' || bind === '::*') return '::1';
  return bind.replace(/^-/, ''); // "-addr": bind if available
}

class RedisServer implements RedisServerHandle {
  readonly host: string;
  readonly persistent: boolean;
  private current: ServerProcess | undefined;
  private currentPort: number;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: StartRedisOptions,
    readonly binary: ResolvedBinary,
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.host = clientHost(options.bind ?? '127.0.0.1');
    this.persistent = options.persistent !== undefined;
    this.currentPort = options.port ?? 0;
  }

  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : '';
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `redis://${auth}${host}:${this.currentPort}`;
  }

  get pid(): number {
    return this.current?.pid ?? -1;
  }

  /** Spawns redis-server until one answers PING: on a fresh port after losing a port race. */
  async boot(fixedPort: boolean): Promise<void> {
    const o = this.options;
    const timeoutMs = o.startTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (!fixedPort) this.currentPort = await freePort(this.host);
      const server = new ServerProcess(
        this.binary.path,
        serverArgs(o, this.currentPort, this.dir),
        secretConfig(o),
        { host: this.host, port: this.currentPort },
        {
          ...(o.password ? { password: o.password } : {}),
          ...(this.persistent ? {} : { removeDirOnOrphan: this.dir }),
        },
      );
      if (this.persistent) await recordOwner(this.dir, server.pid, this.currentPort);
      const outcome = await server.waitUntilReady(deadline);
      if (outcome === 'ready') {
        this.current = server;
        this.logger.info(
          {
            binary: this.binary.path,
            source: this.binary.source,
            version: this.binary.version,
            pid: server.pid,
            port: this.currentPort,
            dir: this.dir,
            persistent: this.persistent,
            ms: Date.now() - started,
          },
          'redis-server ready',
        );
        return;
      }
      await server.kill();
      const lostRace = server.log.includes('Address already in use');
      if (lostRace && !fixedPort && attempt < PORT_RACE_RETRIES && Date.now() < deadline) continue;
      const why =
        outcome === 'timeout'
          ? `redis-server did not answer PING within ${timeoutMs} ms (port ${this.currentPort})`
          : `redis-server exited while starting (port ${this.currentPort}, exit ${server.child.exitCode ?? server.child.signalCode})`;
      throw new RedisStartError(why, server.log.toString(), this.currentPort);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const server = this.current;
      if (server) {
        await server.stop(this.options.stopTimeoutMs ?? 10_000);
        if (this.persistent) await releaseDataDir(this.dir, server.pid);
      }
      if (!this.persistent) await rm(this.dir, { recursive: true, force: true });
      this.logger.info({ port: this.currentPort }, 'redis-server stopped');
    })();
    return this.stopping;
  }

  async restart(): Promise<void> {
    if (this.stopping) throw new RedisStartError('restart() after stop(): start a new server instead', '');
    await this.current?.stop(this.options.stopTimeoutMs ?? 10_000);
    await this.boot(true); // same port: clients reconnect to where they were
  }

  async kill(): Promise<void> {
    await this.current?.kill();
  }

  pause(): void {
    this.current?.pause();
  }

  resume(): void {
    this.current?.resume();
  }

  logTail(): string {
    return this.current?.log.toString() ?? '';
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a real `redis-server` and resolves once it answers PING.
 *
 * ```ts
 * const redis = await startRedis();
 * console.log(redis.url); // redis://127.0.0.1:40123
 * await redis.stop();
 * ```
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServerHandle> {
  validateStartOptions(options);
  const logger = options.logger ?? defaultLogger();
  const binary = await resolveBinary(options.binary);
  let dir: string;
  if (options.persistent !== undefined) {
    dir = resolve(options.persistent);
    await mkdir(dir, { recursive: true });
    await takeOverDataDir(dir, logger);
  } else {
    dir = await mkdtemp(join(tmpdir(), 'covina-redis-'));
  }
  const server = new RedisServer({ ...options }, binary, dir, logger);
  try {
    await server.boot(options.port !== undefined);
  } catch (err) {
    if (options.persistent === undefined) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return server;
}
