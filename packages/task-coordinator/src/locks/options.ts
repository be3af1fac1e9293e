import type { Cluster, Redis } from 'ioredis';
import type { CoordinationKeys } from './keys.js';
import { booleanOption, durationOption, failOption } from './validate.js';

/** How to take one lock (or permit, read or write lock). */
export interface AcquireOptions {
  /**
   * Lease length in ms. Unless extended, the lock frees itself this long after it was taken,
   * so a crashed holder blocks others for at most this long.
   * @default 30_000
   */
  ttlMs?: number;
  /**
   * How long to wait for the lock, in ms: `0` tries once, `Infinity` waits until `signal`
   * aborts. Then `LockTimeoutError`. A Redis round trip already under way at the deadline is
   * given up to 2 s more before the wait ends with reason `no-reply`.
   * @default 10_000
   */
  waitMs?: number;
  /**
   * Keep renewing the lease in the background while the lock is held. If a renewal is refused,
   * or none succeeds before the lease runs out, `lock.signal` aborts with `LockLostError`.
   * @default false for `acquireLock`, `acquire`, `acquireRead`, `acquireWrite`;
   *          true for `withLock`, `withPermit`, `withRead`, `withWrite`
   */
  autoExtend?: boolean;
  /**
   * With `autoExtend`: how often the lease is renewed, in ms (less than `ttlMs`).
   * @default ttlMs / 3
   */
  extendEveryMs?: number;
  /** Cancels the wait: the call rejects with `LockAbortedError` (the signal's reason as `cause`). */
  signal?: AbortSignal;
}

export interface LockManagerOptions {
  /** The client every script runs on: an ioredis `Redis` or `Cluster`. */
  redis: Redis | Cluster;
  /**
   * Key registry the keys are built from (it must know `coordinationTemplates`).
   * @default createKeyRegistry({ prefix })
   */
  keys?: CoordinationKeys;
  /**
   * Key prefix of the default registry (ignored when `keys` is given).
   * @default 'covina'
   */
  prefix?: string;
  /**
   * Waiters are woken by pub/sub when a holder releases; they also re-check after at most this
   * many ms, in case a message was lost (a reconnect). Waiting writers of a read-write lock
   * renew their intent at this pace.
   * @default 1_000
   */
  recheckMs?: number;
  /**
   * Receives background errors that no caller awaits: failed automatic renewals, subscriber
   * connection errors, failed releases at the end of `withLock`. Never receives tokens.
   * @default ignore them
   */
  onError?: (error: unknown) => void;
}

export interface ResolvedAcquireOptions {
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly autoExtend: boolean;
  readonly extendEveryMs: number;
  readonly signal: AbortSignal | undefined;
}

export const LOCK_DEFAULTS = { ttlMs: 30_000, waitMs: 10_000, recheckMs: 1_000 } as const;

/** Validates acquisition options (naming the field at fault) and fills in defaults. */
export function resolveAcquireOptions(
  options: AcquireOptions | undefined,
  autoExtendByDefault: boolean,
): ResolvedAcquireOptions {
  const o = options ?? {};
  const ttlMs = durationOption('ttlMs', o.ttlMs ?? LOCK_DEFAULTS.ttlMs, 10);
  const waitMs = durationOption('waitMs', o.waitMs ?? LOCK_DEFAULTS.waitMs, 0, true);
  const autoExtend = booleanOption('autoExtend', o.autoExtend ?? autoExtendByDefault);
  const extendEveryMs =
    o.extendEveryMs === undefined
      ? Math.max(1, Math.floor(ttlMs / 3))
      : durationOption('extendEveryMs', o.extendEveryMs, 1);
  if (extendEveryMs >= ttlMs) failOption('extendEveryMs', `less than ttlMs (${ttlMs})`, extendEveryMs);
  return { ttlMs, waitMs, autoExtend, extendEveryMs, signal: o.signal };
}
