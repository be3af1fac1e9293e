import { performance } from 'node:perf_hooks';
import type { LockBackend } from './backends.js';
import { describeLock, type LockKind, LockLostError } from './errors.js';
import type { ResolvedAcquireOptions } from './options.js';
import { durationOption } from './validate.js';

/** A lock (mutex, semaphore permit, read or write lock) this process holds. */
export interface Lock extends AsyncDisposable {
  /** Name it was taken under. */
  readonly name: string;
  readonly kind: LockKind;
  /**
   * Fencing token: strictly greater than the token of every earlier holder of this name. Hand it
   * to the protected resource, which refuses writes with a token lower than one it has seen
   * (`checkFence`), so a holder that stalled past its lease cannot overwrite newer work.
   */
  readonly fence: number;
  /** Aborts (reason: `LockLostError`) as soon as the lock is known or presumed lost. Not on release. */
  readonly signal: AbortSignal;
  /** Still held, as far as this process can tell (not released, lease not run out, not lost). */
  readonly held: boolean;
  /** When the lease runs out unless extended (epoch ms, by this process's clock, with a safety margin). */
  readonly expiresAt: number;
  /**
   * Renews the lease for `ttlMs` (default: the lock's own) from now.
   * @throws LockLostError when the lease is no longer this holder's (and then `signal` aborts).
   */
  extend(ttlMs?: number): Promise<void>;
  /**
   * Releases the lock and wakes waiters. Resolves true if this holder still held it, false if it
   * had been lost or released already (nothing is changed then). Safe to call twice.
   */
  release(): Promise<boolean>;
}

type State = 'held' | 'lost' | 'released';

/** Margin for clock drift and timer lateness between this process and Redis, as Redlock does. */
function driftMs(ttlMs: number): number {
  return Math.floor(ttlMs * 0.01) + 2;
}

/** The held side of every lock kind: local validity, auto-extension, loss signal, release. */
export class HeldLock implements Lock {
  readonly name: string;
  readonly kind: LockKind;
  readonly fence: number;
  readonly #token: string;
  readonly #backend: LockBackend;
  readonly #ttlMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #controller = new AbortController();
  #state: State = 'held';
  /** performance.now() until which the lease is surely ours. */
  #validUntil: number;
  #expiryTimer: NodeJS.Timeout | undefined;
  #extendTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  #lastRenewError: unknown;

  /** @param requestedAt performance.now() when the successful acquire was sent. */
  constructor(
    backend: LockBackend,
    token: string,
    fence: number,
    requestedAt: number,
    options: ResolvedAcquireOptions,
    onError: (error: unknown) => void,
  ) {
    this.name = backend.name;
    this.kind = backend.kind;
    this.fence = fence;
    this.#token = token;
    this.#backend = backend;
    this.#ttlMs = options.ttlMs;
    this.#onError = onError;
    this.#validUntil = requestedAt + options.ttlMs - driftMs(options.ttlMs);
    this.#armExpiry();
    if (options.autoExtend) {
      this.#extendTimer = setInterval(() => this.#renewInBackground(), options.extendEveryMs);
      this.#extendTimer.unref();
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get held(): boolean {
    return this.#state === 'held' && performance.now() < this.#validUntil;
  }

  get expiresAt(): number {
    return Math.round(Date.now() + (this.#validUntil - performance.now()));
  }

  async extend(ttlMs: number = this.#ttlMs): Promise<void> {
    durationOption('ttlMs', ttlMs, 10);
    this.#throwIfGone();
    const requestedAt = performance.now();
    const renewed = await this.#backend.extend(this.#token, ttlMs);
    if (this.#state !== 'held') this.#throwIfGone();
    if (!renewed) {
      this.#lose('taken');
      this.#throwIfGone();
    }
    this.#validUntil = requestedAt + ttlMs - driftMs(ttlMs);
    this.#armExpiry();
  }

  async release(): Promise<boolean> {
    if (this.#state === 'released') return false;
    const wasHeld = this.#state === 'held';
    this.#state = 'released';
    this.#stopTimers();
    // Even a lock presumed lost is released: it may still be ours in Redis (only we stalled).
    const released = await this.#backend.release(this.#token);
    return wasHeld && released;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  #renewInBackground(): void {
    if (this.#renewing || this.#state !== 'held') return;
    this.#renewing = true;
    this.extend()
      .then(() => {
        this.#lastRenewError = undefined;
      })
      .catch((error: unknown) => {
        // Refused: the lock is lost and signalled. Anything else: retried on the next tick,
        // and the expiry timer declares the lock lost if no renewal lands in time.
        if (!(error instanceof LockLostError)) {
          this.#lastRenewError = error;
          this.#onError(error);
        }
      })
      .finally(() => {
        this.#renewing = false;
      });
  }

  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    const left = Math.max(0, this.#validUntil - performance.now());
    this.#expiryTimer = setTimeout(() => this.#lose('expired'), left);
    this.#expiryTimer.unref();
  }

  #lose(reason: 'expired' | 'taken'): void {
    if (this.#state !== 'held') return;
    this.#state = 'lost';
    this.#stopTimers();
    const why =
      reason === 'taken'
        ? 'Redis no longer holds this lease (it expired there)'
        : 'its lease ran out before it could be renewed';
    this.#controller.abort(
      new LockLostError(`${describeLock(this.kind, this.name)} (fence ${this.fence}) was lost: ${why}`, {
        context: { lock: this.name, kind: this.kind, fence: this.fence, reason },
        ...(this.#lastRenewError === undefined ? {} : { cause: this.#lastRenewError }),
      }),
    );
  }

  #throwIfGone(): void {
    if (this.#state === 'held' && performance.now() >= this.#validUntil) this.#lose('expired');
    if (this.#state === 'lost') throw this.#controller.signal.reason;
    if (this.#state === 'released') {
      throw new LockLostError(`${describeLock(this.kind, this.name)} was already released`, {
        context: { lock: this.name, kind: this.kind, fence: this.fence, reason: 'released' },
      });
    }
  }

  #stopTimers(): void {
    clearTimeout(this.#expiryTimer);
    clearInterval(this.#extendTimer);
    this.#expiryTimer = undefined;
    this.#extendTimer = undefined;
  }
}
