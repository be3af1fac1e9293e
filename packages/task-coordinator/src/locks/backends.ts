import type { LockKind } from './errors.js';
import type { LockKeySet } from './keys.js';
import { LockReply, type LockScripts, pairReply } from './scripts.js';

/** The answer to one acquisition attempt. */
export type AttemptResult =
  | { readonly acquired: true; readonly fence: number }
  /** `retryInMs`: when the state can next change on its own (a lease ends); -1 unknown. */
  | { readonly acquired: false; readonly retryInMs: number };

/**
 * The Redis side of one lock kind: the acquire / extend / release scripts of one name. The
 * waiting, auto-extension and loss detection on top are shared by every kind.
 */
export interface LockBackend {
  readonly kind: LockKind;
  readonly name: string;
  /** Pub/sub channel on which releases of this name are announced. */
  readonly channel: string;
  tryAcquire(token: string, ttlMs: number): Promise<AttemptResult>;
  /** False when the token no longer holds its lease. */
  extend(token: string, ttlMs: number): Promise<boolean>;
  /** False when the token no longer held its lease. */
  release(token: string): Promise<boolean>;
  /** Undoes what a failed wait left behind (a waiting writer's intent). */
  abandon?(token: string): Promise<void>;
}

function attempt(reply: unknown): AttemptResult {
  const [status, value] = pairReply(reply);
  return status === LockReply.Ok ? { acquired: true, fence: value } : { acquired: false, retryInMs: value };
}

const ok = (reply: unknown) => Number(reply) === LockReply.Ok;

export function mutexBackend(scripts: LockScripts, name: string, keys: LockKeySet): LockBackend {
  return {
    kind: 'mutex',
    name,
    channel: keys.channel,
    async tryAcquire(token, ttlMs) {
      return attempt(await scripts.run('lockMutexAcquire', [keys.lock, keys.fence], [token, ttlMs]));
    },
    async extend(token, ttlMs) {
      return ok(await scripts.run('lockMutexExtend', [keys.lock], [token, ttlMs]));
    },
    async release(token) {
      return ok(await scripts.run('lockMutexRelease', [keys.lock], [token, keys.channel]));
    },
  };
}

export function semaphoreBackend(
  scripts: LockScripts,
  name: string,
  keys: LockKeySet,
  permits: number,
): LockBackend {
  return {
    kind: 'semaphore',
    name,
    channel: keys.channel,
    async tryAcquire(token, ttlMs) {
      return attempt(
        await scripts.run('lockPermitAcquire', [keys.permits, keys.fence], [token, ttlMs, permits]),
      );
    },
    async extend(token, ttlMs) {
      return ok(await scripts.run('lockPermitExtend', [keys.permits], [token, ttlMs]));
    },
    async release(token) {
      return ok(await scripts.run('lockPermitRelease', [keys.permits], [token, keys.channel]));
    },
  };
}

export function readBackend(scripts: LockScripts, name: string, keys: LockKeySet): LockBackend {
  return {
    kind: 'read',
    name,
    channel: keys.channel,
    async tryAcquire(token, ttlMs) {
      const rw = [keys.readers, keys.writer, keys.writersWaiting, keys.fence];
      return attempt(await scripts.run('lockReadAcquire', rw, [token, ttlMs]));
    },
    async extend(token, ttlMs) {
      return ok(await scripts.run('lockPermitExtend', [keys.readers], [token, ttlMs]));
    },
    async release(token) {
      return ok(await scripts.run('lockPermitRelease', [keys.readers], [token, keys.channel]));
    },
  };
}

/**
 * @param intentMs how long a waiting writer's intent keeps new readers out without being
 *   renewed (a waiting writer renews it with every attempt).
 */
export function writeBackend(
  scripts: LockScripts,
  name: string,
  keys: LockKeySet,
  intentMs: number,
): LockBackend {
  return {
    kind: 'write',
    name,
    channel: keys.channel,
    async tryAcquire(token, ttlMs) {
      const rw = [keys.readers, keys.writer, keys.writersWaiting, keys.fence];
      return attempt(await scripts.run('lockWriteAcquire', rw, [token, ttlMs, intentMs]));
    },
    async extend(token, ttlMs) {
      return ok(await scripts.run('lockMutexExtend', [keys.writer], [token, ttlMs]));
    },
    async release(token) {
      return ok(await scripts.run('lockMutexRelease', [keys.writer], [token, keys.channel]));
    },
    async abandon(token) {
      await scripts.run('lockWriteCancel', [keys.writersWaiting], [token, keys.channel]);
    },
  };
}
