/** Base class: every error this package throws has a stable `code`. */
export class EmbeddedRedisError extends Error {
  readonly code: string = 'E_EMBEDDED_REDIS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An option has a value that cannot work; `field` names it. */
export class RedisOptionsError extends EmbeddedRedisError {
  override readonly code = 'E_REDIS_OPTIONS';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid option "${field}": ${problem}`);
  }
}

/** No usable redis-server binary was found. */
export class RedisBinaryNotFoundError extends EmbeddedRedisError {
  override readonly code = 'E_REDIS_BINARY_NOT_FOUND';
  constructor(
    readonly tried: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `No usable redis-server binary (tried: ${tried.join('; ')}). ` +
        'Install Debian\'s "redis-server" package, set COVINA_REDIS_SERVER_BIN, or add redis-memory-server.',
      options,
    );
  }
}

/** The server did not answer PING in time, or exited while starting. `logTail` is what it printed. */
export class RedisStartError extends EmbeddedRedisError {
  override readonly code = 'E_REDIS_START';
  constructor(
    message: string,
    readonly logTail: string,
    readonly port?: number,
    options?: { cause?: unknown },
  ) {
    super(`${message}\n--- redis-server log (tail) ---\n${logTail || '(empty)'}`, options);
  }
}

/** A persistent data dir is in use by a server whose owning process is still alive. */
export class RedisDataDirInUseError extends EmbeddedRedisError {
  override readonly code = 'E_REDIS_DATA_DIR_IN_USE';
  constructor(
    readonly dir: string,
    readonly serverPid: number,
    readonly ownerPid: number,
  ) {
    super(
      `Data dir ${dir} is in use by redis-server pid ${serverPid}, started by process ${ownerPid} which is still running. ` +
        'Stop that process (or its server) first: two servers on one AOF would corrupt it.',
    );
  }
}

/** The local cluster did not reach `cluster_state:ok` in time, or a setup command failed. */
export class RedisClusterError extends EmbeddedRedisError {
  override readonly code = 'E_REDIS_CLUSTER';
}

export const errors = {
  E_EMBEDDED_REDIS: EmbeddedRedisError,
  E_REDIS_OPTIONS: RedisOptionsError,
  E_REDIS_BINARY_NOT_FOUND: RedisBinaryNotFoundError,
  E_REDIS_START: RedisStartError,
  E_REDIS_DATA_DIR_IN_USE: RedisDataDirInUseError,
  E_REDIS_CLUSTER: RedisClusterError,
} as const;
