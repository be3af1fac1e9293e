import { type AcquireEnvironment, acquire } from './acquire.js';
import { mutexBackend } from './backends.js';
import { LockTimeoutError, StaleFenceTokenError } from './errors.js';
import type { Lock } from './held-lock.js';
import { type CoordinationKeys, lockKeySet, resolveKeys } from './keys.js';
import {
  type AcquireOptions,
  LOCK_DEFAULTS,
  type LockManagerOptions,
  resolveAcquireOptions,
} from './options.js';
import { ReadWriteLock } from './read-write-lock.js';
import { ReleaseNotifier } from './release-notifier.js';
import { type LockScripts, loadLockScripts, pairReply } from './scripts.js';
import { Semaphore } from './semaphore.js';
import { durationOption, failOption, integerOption } from './validate.js';
import { runHolding } from './with-lock.js';

/**
 * Distributed locks on one Redis (or Redis Cluster): mutexes, semaphores, read-write locks,
 * all leases with fencing tokens, and a fencing check for the resources they protect.
 *
 * ```ts
 * const locks = createLockManager({ redis });
 * await locks.withLock('reindex', async (lock) => reindex({ signal: lock.signal }));
 * ```
 */
export class LockManager {
  /** The registry the lock keys come from. */
  readonly keys: CoordinationKeys;
  readonly #scripts: LockScripts;
  readonly #notifier: ReleaseNotifier;
  readonly #env: AcquireEnvironment;

  constructor(options: LockManagerOptions) {
    if (typeof options?.redis?.defineCommand !== 'function') {
      failOption('redis', 'an ioredis Redis or Cluster client', options?.redis);
    }
    const onError = options.onError ?? (() => {});
    const recheckMs = durationOption('recheckMs', options.recheckMs ?? LOCK_DEFAULTS.recheckMs, 1);
    this.keys = resolveKeys(options.keys, options.prefix);
    this.#scripts = loadLockScripts(options.redis);
    this.#notifier = new ReleaseNotifier(options.redis, onError);
    this.#env = { notifier: this.#notifier, recheckMs, onError };
  }

  /**
   * Takes the mutex `name`, waiting up to `waitMs` for its holder to release it.
   * @throws LockTimeoutError when it stays held, LockAbortedError when `signal` aborts
   */
  async acquireLock(name: string, options?: AcquireOptions): Promise<Lock> {
    const resolved = resolveAcquireOptions(options, false);
    return acquire(mutexBackend(this.#scripts, name, lockKeySet(this.keys, name)), resolved, this.#env);
  }

  /** Takes the mutex `name` if it is free right now; `null` if someone holds it. */
  async tryAcquireLock(name: string, options?: Omit<AcquireOptions, 'waitMs'>): Promise<Lock | null> {
    try {
      return await this.acquireLock(name, { ...options, waitMs: 0 });
    } catch (error) {
      if (error instanceof LockTimeoutError && error.context.reason === 'held') return null;
      throw error;
    }
  }

  /**
   * Runs `fn` holding the mutex `name`, renewing it in the background (`autoExtend` defaults to
   * true here), and releases it afterwards. Pass `lock.signal` to work that should stop when the
   * lock is lost. Rejects with `LockLostError` if the lock was lost while `fn` ran.
   */
  async withLock<T>(name: string, fn: (lock: Lock) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    const resolved = resolveAcquireOptions(options, true);
    const lock = await acquire(
      mutexBackend(this.#scripts, name, lockKeySet(this.keys, name)),
      resolved,
      this.#env,
    );
    return runHolding(lock, fn, this.#env.onError);
  }

  /** A counting semaphore of `permits` permits, each a lease of its own. */
  semaphore(name: string, permits: number): Semaphore {
    integerOption('permits', permits, 1);
    lockKeySet(this.keys, name);
    return new Semaphore(this.#scripts, lockKeySet(this.keys, name), name, permits, this.#env);
  }

  /** A writer-preferring read-write lock. */
  readWriteLock(name: string): ReadWriteLock {
    return new ReadWriteLock(this.#scripts, lockKeySet(this.keys, name), name, this.#env);
  }

  /**
   * Fencing check for a protected resource stored outside the lock: accepts `fence` if no higher
   * token was accepted for `resource` before, and remembers the highest. Call it right before
   * each write; a holder that stalled past its lease gets `false` once a newer holder wrote.
   */
  async checkFence(resource: string, fence: number): Promise<boolean> {
    const [status] = await this.#fence(resource, fence);
    return status === 1;
  }

  /** `checkFence` that throws `StaleFenceTokenError` instead of returning false. */
  async assertFence(resource: string, fence: number): Promise<void> {
    const [status, highest] = await this.#fence(resource, fence);
    if (status !== 1) {
      throw new StaleFenceTokenError(
        `Resource "${resource}" refused fencing token ${fence}: token ${highest} was already accepted`,
        { context: { resource, fence, highest } },
      );
    }
  }

  /** Closes the subscriber connection (the `redis` client passed in stays open). */
  close(): Promise<void> {
    return this.#notifier.close();
  }

  async #fence(resource: string, fence: number): Promise<[number, number]> {
    integerOption('fence', fence, 1);
    const key = this.keys.format('lockFenceSeen', { resource });
    return pairReply(await this.#scripts.run('lockFenceCheck', [key], [fence]));
  }
}

/** Creates a {@link LockManager} on an ioredis `Redis` or `Cluster`. */
export function createLockManager(options: LockManagerOptions): LockManager {
  return new LockManager(options);
}
