import type { BinarySource } from './binary.js';
import type { Logger } from './logger.js';

/** Redis `maxmemory-policy` values. */
export type MaxmemoryPolicy =
  | 'noeviction'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl';

export interface StartRedisOptions {
  /**
   * TCP port. When omitted a free one is chosen, and another one tried if a different process
   * takes it first.
   * @default a free port
   */
  port?: number;
  /**
   * Address to listen on. Clients are pointed at 127.0.0.1 (or ::1) when it is a wildcard.
   * @default '127.0.0.1'
   */
  bind?: string;
  /**
   * Require this password (`requirepass`, also used as `masterauth`). Handed to redis-server on
   * stdin, so it never shows in `ps`, in logs or in errors.
   * @default no password
   */
  password?: string;
  /**
   * A data directory: turns on persistence (AOF `everysec` + RDB snapshots) so data survives a
   * crash and a restart. When omitted the server is ephemeral: nothing is saved, and its temp dir
   * is removed on stop.
   * @default ephemeral
   */
  persistent?: string;
  /**
   * `maxmemory`: bytes, or a Redis size such as `'256mb'`.
   * @default no limit
   */
  maxmemory?: number | string;
  /**
   * `maxmemory-policy`, applied when `maxmemory` is reached.
   * @default 'noeviction'
   */
  maxmemoryPolicy?: MaxmemoryPolicy;
  /**
   * More `redis-server` arguments, e.g. `['--hz', '50']`. They come last, so they override ours.
   * @default []
   */
  args?: string[];
  /**
   * Path to `redis-server`.
   * @default COVINA_REDIS_SERVER_BIN, else `redis-server` on the PATH, else redis-memory-server's
   */
  binary?: string;
  /**
   * How long to wait for the first PONG before failing with `RedisStartError`.
   * @default 10_000
   */
  startTimeoutMs?: number;
  /**
   * How long `stop()` waits after SIGTERM (the server saves its data) before SIGKILL.
   * @default 10_000
   */
  stopTimeoutMs?: number;
  /**
   * Where to log the binary used, its version, and lifecycle events. A pino logger fits.
   * @default JSON lines on stderr at COVINA_LOG_LEVEL (default 'info')
   */
  logger?: Logger;
}

export interface RedisServerHandle {
  /** Host for clients: the bind address, or loopback when it binds a wildcard. */
  readonly host: string;
  readonly port: number;
  /** `redis://[:password@]host:port` */
  readonly url: string;
  /** Pid of the server process (the new one after `restart()`). */
  readonly pid: number;
  /** Its working directory: the data dir when persistent, else a temp dir. */
  readonly dir: string;
  readonly persistent: boolean;
  /** The binary in use, where it was found, and its version. */
  readonly binary: { path: string; source: BinarySource; version: string };
  /** Graceful stop (SIGTERM, then SIGKILL after `stopTimeoutMs`). Removes an ephemeral dir. Idempotent. */
  stop(): Promise<void>;
  /** Stops it (gracefully, if running) and starts it again on the same port and dir. */
  restart(): Promise<void>;
  /** SIGKILL, for fault tests: no shutdown save, clients see the connection drop. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing until `resume()`. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** The last lines the server printed (secrets masked). */
  logTail(): string;
  [Symbol.asyncDispose](): Promise<void>;
}
