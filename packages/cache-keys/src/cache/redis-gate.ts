import type { Cluster, Redis } from 'ioredis';
import { CacheTimeoutError, CacheUnavailableError } from '../errors.js';
import { Deadlines } from './deadlines.js';

export type RedisClient = Redis | Cluster;

/**
 * Statuses in which a command is worth sending. While first connecting (or lazily waiting)
 * ioredis queues it and the timeout bounds the wait; once a connection was lost
 * (`reconnecting`, `close`, `end`) the cache stops sending until it is back.
 */
const SENDABLE = new Set(['ready', 'wait', 'connecting', 'connect']);

export interface GateOptions {
  timeoutMs: number;
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before one call is let through again. */
  resetMs: number;
}

/**
 * Every cache command goes through here so Redis trouble never blocks the caller: refused
 * at once while the client is not `ready` or the breaker is open, otherwise bounded by a
 * timeout. A paused server keeps the socket `ready` but answers nothing; the breaker stops
 * us from paying the timeout on every call then.
 */
export class RedisGate {
  #failures = 0;
  #openUntil = 0;
  readonly #deadlines: Deadlines;

  constructor(
    readonly redis: RedisClient,
    private readonly options: GateOptions,
  ) {
    this.#deadlines = new Deadlines(Math.max(5, Math.round(options.timeoutMs / 10)));
  }

  /** Can a command be sent now? */
  get available(): boolean {
    return SENDABLE.has(this.redis.status) && (this.#openUntil === 0 || Date.now() >= this.#openUntil);
  }

  /**
   * Runs one Redis operation, or rejects with `CacheUnavailableError` / `CacheTimeoutError`.
   * `roundTrips` scales the timeout for batches sent as several chunks.
   */
  run<T>(operation: string, send: (redis: RedisClient) => Promise<T>, roundTrips = 1): Promise<T> {
    return new Promise<T>((resolve, reject) => this.call(operation, send, resolve, reject, roundTrips));
  }

  /**
   * `run()` with callbacks: exactly one of `resolve` / `reject` is called, once. The read path
   * uses it to settle its own promise without another one in between.
   */
  call<T>(
    operation: string,
    send: (redis: RedisClient) => Promise<T>,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
    roundTrips = 1,
  ): void {
    if (!SENDABLE.has(this.redis.status)) {
      reject(new CacheUnavailableError(this.redis.status));
      return;
    }
    if (this.#openUntil !== 0 && Date.now() < this.#openUntil) {
      reject(new CacheUnavailableError('breaker-open'));
      return;
    }
    const timeoutMs = this.options.timeoutMs * Math.max(1, roundTrips);
    let settled = false;
    const deadline = this.#deadlines.add(timeoutMs, () => {
      if (settled) return;
      settled = true;
      this.#failed();
      reject(new CacheTimeoutError(operation, timeoutMs));
    });
    send(this.redis).then(
      (value) => {
        if (settled) return;
        settled = true;
        this.#deadlines.delete(deadline);
        this.#failures = 0;
        this.#openUntil = 0;
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        this.#deadlines.delete(deadline);
        // An error reply (WRONGTYPE…) means Redis is up: only transport trouble counts.
        if ((error as Error | undefined)?.name !== 'ReplyError') this.#failed();
        reject(error);
      },
    );
  }

  #failed(): void {
    this.#failures++;
    if (this.#failures >= this.options.failureThreshold) this.#openUntil = Date.now() + this.options.resetMs;
  }
}

/**
 * Rejects with `CacheTimeoutError` if `promise` does not settle within `ms` (for rare, long
 * operations such as SCAN; the expiry waits one I/O poll, as in `Deadlines`).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => reject(new CacheTimeoutError(operation, ms))), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
