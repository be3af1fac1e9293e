import { type AcquireEnvironment, acquire } from './acquire.js';
import { type LockBackend, readBackend, writeBackend } from './backends.js';
import type { Lock } from './held-lock.js';
import type { LockKeySet } from './keys.js';
import { type AcquireOptions, resolveAcquireOptions } from './options.js';
import type { LockScripts } from './scripts.js';
import { runHolding } from './with-lock.js';

/**
 * Many readers or one writer, across every process. Writer-preferring: once a writer waits,
 * new readers wait behind it, so a steady stream of readers cannot starve writers. Every read
 * and write lock is a lease of its own (a crashed holder frees its share when the lease ends).
 */
export class ReadWriteLock {
  readonly name: string;
  readonly #read: LockBackend;
  readonly #write: LockBackend;
  readonly #env: AcquireEnvironment;
  readonly #scripts: LockScripts;
  readonly #keys: LockKeySet;

  /** @internal Created by `LockManager.readWriteLock()`. */
  constructor(scripts: LockScripts, keys: LockKeySet, name: string, env: AcquireEnvironment) {
    this.name = name;
    this.#scripts = scripts;
    this.#keys = keys;
    this.#env = env;
    this.#read = readBackend(scripts, name, keys);
    // A waiting writer renews its intent with each attempt (at least every recheckMs), so a
    // writer that gave up or crashed stops holding readers back soon after.
    this.#write = writeBackend(scripts, name, keys, env.recheckMs * 3);
  }

  /** Takes a shared read lock. @throws LockTimeoutError, LockAbortedError */
  async acquireRead(options?: AcquireOptions): Promise<Lock> {
    return acquire(this.#read, resolveAcquireOptions(options, false), this.#env);
  }

  /** Takes the exclusive write lock. @throws LockTimeoutError, LockAbortedError */
  async acquireWrite(options?: AcquireOptions): Promise<Lock> {
    return acquire(this.#write, resolveAcquireOptions(options, false), this.#env);
  }

  /** Runs `fn` under a read lock (renewed automatically unless `autoExtend: false`). */
  async withRead<T>(fn: (lock: Lock) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    const lock = await acquire(this.#read, resolveAcquireOptions(options, true), this.#env);
    return runHolding(lock, fn, this.#env.onError);
  }

  /** Runs `fn` under the write lock (renewed automatically unless `autoExtend: false`). */
  async withWrite<T>(fn: (lock: Lock) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    const lock = await acquire(this.#write, resolveAcquireOptions(options, true), this.#env);
    return runHolding(lock, fn, this.#env.onError);
  }

  /** Read locks currently held (expired leases not counted). */
  async readers(): Promise<number> {
    return Number(await this.#scripts.run('lockLeaseCount', [this.#keys.readers], []));
  }
}
