import { type AcquireEnvironment, acquire } from './acquire.js';
import { type LockBackend, semaphoreBackend } from './backends.js';
import type { Lock } from './held-lock.js';
import type { LockKeySet } from './keys.js';
import { type AcquireOptions, resolveAcquireOptions } from './options.js';
import type { LockScripts } from './scripts.js';
import { runHolding } from './with-lock.js';

/**
 * A counting semaphore: at most `permits` holders at once, across every process. Each permit
 * is a lease of its own: a holder that crashes gives its permit back when the lease ends.
 * Every process must use the same `permits` for a name (each enforces the number it was given).
 */
export class Semaphore {
  readonly name: string;
  readonly permits: number;
  readonly #backend: LockBackend;
  readonly #env: AcquireEnvironment;
  readonly #scripts: LockScripts;
  readonly #keys: LockKeySet;

  /** @internal Created by `LockManager.semaphore()`. */
  constructor(
    scripts: LockScripts,
    keys: LockKeySet,
    name: string,
    permits: number,
    env: AcquireEnvironment,
  ) {
    this.name = name;
    this.permits = permits;
    this.#scripts = scripts;
    this.#keys = keys;
    this.#backend = semaphoreBackend(scripts, name, keys, permits);
    this.#env = env;
  }

  /**
   * Takes one permit, waiting up to `waitMs` for one to free up.
   * @throws LockTimeoutError, LockAbortedError
   */
  async acquire(options?: AcquireOptions): Promise<Lock> {
    return acquire(this.#backend, resolveAcquireOptions(options, false), this.#env);
  }

  /** Runs `fn` holding one permit (renewed automatically unless `autoExtend: false`). */
  async withPermit<T>(fn: (permit: Lock) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    const permit = await acquire(this.#backend, resolveAcquireOptions(options, true), this.#env);
    return runHolding(permit, fn, this.#env.onError);
  }

  /** Permits currently leased (expired leases not counted). */
  async leased(): Promise<number> {
    return Number(await this.#scripts.run('lockLeaseCount', [this.#keys.permits], []));
  }
}
