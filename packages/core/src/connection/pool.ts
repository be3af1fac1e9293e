import type { Cluster, Redis } from 'ioredis';
import { ConnectionPoolExhaustedError } from '../errors/connection-errors.js';
import type { CovinaLogger } from './logger.js';

export interface ConnectionPoolOptions {
  /**
   * Most extra connections open at once (each is a socket and a Redis client slot).
   * @default 20
   */
  max?: number;
  /**
   * Log a warning when this share of `max` is in use.
   * @default 0.8
   */
  warnRatio?: number;
  /**
   * How long `acquire()` waits for a free connection when all are in use, in ms.
   * @default 5000
   */
  acquireTimeoutMs?: number;
  /**
   * Released connections kept open for reuse; the rest are closed.
   * @default 2
   */
  maxIdle?: number;
}

export interface PoolStats {
  /** Connections opened since the pool was created. */
  created: number;
  /** Connections open now (in use + idle). */
  open: number;
  inUse: number;
  idle: number;
  /** Callers waiting for a free connection. */
  waiting: number;
  max: number;
}

/** A borrowed connection: give it back with `release()` (or `using`). */
export interface PooledConnection<C extends Redis | Cluster = Redis | Cluster> {
  readonly redis: C;
  /** Returns it to the pool (closes it if it is broken, subscribed or still busy). */
  release(): void;
  [Symbol.dispose](): void;
}

interface Waiter {
  resolve(lease: PooledConnection): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

type Internals = { condition?: { subscriber?: unknown }; commandQueue?: { length: number } };

/**
 * Extra connections for blocking commands (BLPOP, XREADGROUP BLOCK…), which hold a
 * connection for as long as they wait. Made with `duplicate()` of one base client, counted,
 * reused, bounded by `max`, with a warning near the limit. Closed when the base client ends.
 */
export class ConnectionPool {
  readonly max: number;
  readonly #warnAt: number;
  readonly #acquireTimeoutMs: number;
  readonly #maxIdle: number;
  readonly #idle: Array<Redis | Cluster> = [];
  readonly #inUse = new Set<Redis | Cluster>();
  readonly #waiters: Waiter[] = [];
  #created = 0;
  #warned = false;
  #closed = false;

  constructor(
    private readonly base: Redis | Cluster,
    options: ConnectionPoolOptions = {},
    private readonly hooks: { logger: CovinaLogger; prepare?: (connection: Redis | Cluster) => void },
  ) {
    this.max = Math.max(1, options.max ?? 20);
    this.#warnAt = Math.max(1, Math.ceil(this.max * (options.warnRatio ?? 0.8)));
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? 5000;
    this.#maxIdle = Math.max(0, options.maxIdle ?? 2);
  }

  /** Borrows a connection: an idle one, a new `duplicate()`, or the next released one. */
  async acquire(): Promise<PooledConnection> {
    if (this.#closed)
      throw new ConnectionPoolExhaustedError('The connection pool is closed', {
        context: { max: this.max, waitedMs: 0 },
      });
    const idle = this.#idle.pop();
    if (idle) return this.#lend(idle);
    if (this.#open() < this.max) return this.#lend(this.#create());
    return this.#wait();
  }

  /** Runs `fn` with a borrowed connection and releases it afterwards, even on error. */
  async use<T>(fn: (redis: Redis | Cluster) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      return await fn(lease.redis);
    } finally {
      lease.release();
    }
  }

  stats(): PoolStats {
    return {
      created: this.#created,
      open: this.#open(),
      inUse: this.#inUse.size,
      idle: this.#idle.length,
      waiting: this.#waiters.length,
      max: this.max,
    };
  }

  /** Closes every connection, in use or idle; waiting callers are rejected. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(
        new ConnectionPoolExhaustedError('The connection pool was closed', {
          context: { max: this.max, waitedMs: 0 },
        }),
      );
    }
    for (const connection of [...this.#idle.splice(0), ...this.#inUse]) connection.disconnect();
    this.#inUse.clear();
  }

  #open(): number {
    return this.#inUse.size + this.#idle.length;
  }

  #create(): Redis | Cluster {
    const connection = this.base.duplicate();
    this.#created++;
    this.hooks.prepare?.(connection);
    return connection;
  }

  #wait(): Promise<PooledConnection> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(
            new ConnectionPoolExhaustedError(
              `All ${this.max} extra Redis connections stayed in use for ${this.#acquireTimeoutMs} ms; raise connections.max or release them`,
              { context: { max: this.max, waitedMs: Date.now() - started } },
            ),
          );
        }, this.#acquireTimeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  #lend(connection: Redis | Cluster): PooledConnection {
    this.#inUse.add(connection);
    this.#warnIfNearLimit();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#giveBack(connection);
    };
    return { redis: connection, release, [Symbol.dispose]: release };
  }

  #giveBack(connection: Redis | Cluster): void {
    if (!this.#inUse.delete(connection)) return;
    if (this.#inUse.size < this.#warnAt) this.#warned = false;
    const internals = connection as unknown as Internals;
    // A subscribed, broken or still-busy connection (a blocking call the caller gave up on)
    // cannot serve the next borrower: close it and let a fresh one be made.
    const reusable =
      !this.#closed &&
      connection.status === 'ready' &&
      !internals.condition?.subscriber &&
      (internals.commandQueue?.length ?? 0) === 0;
    if (!reusable) {
      connection.disconnect();
      this.#serveWaiter(() => this.#create());
      return;
    }
    if (this.#serveWaiter(() => connection)) return;
    if (this.#idle.length < this.#maxIdle) this.#idle.push(connection);
    else connection.disconnect();
  }

  #serveWaiter(next: () => Redis | Cluster): boolean {
    const waiter = this.#waiters.shift();
    if (!waiter) return false;
    clearTimeout(waiter.timer);
    // Lent at once, so the connection counts as in use before the waiter's code runs.
    waiter.resolve(this.#lend(next()));
    return true;
  }

  #warnIfNearLimit(): void {
    if (this.#warned || this.#inUse.size < this.#warnAt) return;
    this.#warned = true;
    this.hooks.logger.warn(
      { inUse: this.#inUse.size, max: this.max, created: this.#created },
      'Extra Redis connections near the limit (blocking commands hold one each)',
    );
  }
}
