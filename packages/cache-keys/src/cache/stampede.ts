import { createHash, randomUUID } from 'node:crypto';
import type { AnyKeyRegistry } from '../keys/registry.js';
import type { CacheBus } from './bus.js';
import unlockSource from './lua/unlock-1.lua';
import type { RedisClient, RedisGate } from './redis-gate.js';

export interface StampedeOptions {
  /**
   * How long the cross-process load lock lives: longer than a normal load, short enough that a
   * crashed holder does not block others for long.
   * @default 10_000
   */
  lockTtlMs?: number;
  /**
   * How long a process waits for another's load before loading itself.
   * @default 5_000
   */
  waitTimeoutMs?: number;
  /**
   * Lock across processes with Redis (in-process de-duplication is always on).
   * @default true
   */
  distributed?: boolean;
}

const UNLOCK = 'covina_cache_unlock_v1';
type WithUnlock = RedisClient & { [UNLOCK](lockKey: string, token: string): Promise<number> };

/** The first poll comes soon, later ones back off; pub/sub usually wakes us before. */
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

/**
 * Concurrent misses of one key call the loader once: within a process through an in-flight
 * map, across processes through a short `SET NX PX` lock. Processes that lose the race wait
 * for the value (pub/sub wake-up, bounded polling) and load it themselves after a timeout.
 */
export class StampedeGuard {
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #lockTtlMs: number;
  readonly #waitTimeoutMs: number;
  readonly #distributed: boolean;

  constructor(
    private readonly gate: RedisGate,
    private readonly keys: AnyKeyRegistry,
    private readonly bus: CacheBus,
    options: StampedeOptions = {},
  ) {
    this.#lockTtlMs = options.lockTtlMs ?? 10_000;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 5_000;
    this.#distributed = options.distributed ?? true;
    const redis = gate.redis as WithUnlock;
    if (typeof redis[UNLOCK] !== 'function')
      redis.defineCommand(UNLOCK, { numberOfKeys: 1, lua: unlockSource });
  }

  /** Loads currently running in this process. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /**
   * Returns the value for `key`: from a load already running here, from another process's
   * load (`readFresh`), or by calling `load` (which stores the value) exactly once.
   */
  run<T>(
    key: string,
    readFresh: () => Promise<{ value: T } | undefined>,
    load: () => Promise<T>,
  ): Promise<T> {
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T>;
    const promise = this.#run(key, readFresh, load).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #run<T>(
    key: string,
    readFresh: () => Promise<{ value: T } | undefined>,
    load: () => Promise<T>,
  ): Promise<T> {
    if (!this.#distributed) return load();
    const lockKey = this.keys.formatDynamic('cacheLoadLock', {
      key_hash: createHash('sha1').update(key).digest('base64url'),
    });
    const token = randomUUID();
    let locked = await this.#tryLock(lockKey, token);
    if (locked === 'held-elsewhere') {
      const deadline = Date.now() + this.#waitTimeoutMs;
      let delay = FIRST_POLL_MS;
      while (locked === 'held-elsewhere' && Date.now() < deadline) {
        await this.bus.waitFor(key, Math.min(delay, deadline - Date.now()));
        const filled = await readFresh().catch(() => undefined);
        if (filled) return filled.value;
        locked = await this.#tryLock(lockKey, token);
        delay = Math.min(delay * 2, MAX_POLL_MS);
      }
      // Timed out (the holder is slow or gone): load without the lock rather than fail.
    }
    let loaded = false;
    try {
      if (locked === 'acquired') {
        // Double-check: another process may have stored the value and released its lock
        // between our miss and our lock.
        const filled = await readFresh().catch(() => undefined);
        if (filled) return filled.value;
      }
      const value = await load();
      loaded = true;
      return value;
    } finally {
      if (locked === 'acquired') {
        this.gate.run('unlock', (r) => (r as WithUnlock)[UNLOCK](lockKey, token)).catch(() => {});
        this.bus.publish({ t: loaded ? 'filled' : 'released', k: key });
      }
    }
  }

  /** `acquired`, `held-elsewhere`, or `unavailable` (Redis down: load without a lock). */
  async #tryLock(lockKey: string, token: string): Promise<'acquired' | 'held-elsewhere' | 'unavailable'> {
    try {
      const ok = await this.gate.run('lock', (r) => r.set(lockKey, token, 'PX', this.#lockTtlMs, 'NX'));
      return ok === 'OK' ? 'acquired' : 'held-elsewhere';
    } catch {
      return 'unavailable';
    }
  }
}
