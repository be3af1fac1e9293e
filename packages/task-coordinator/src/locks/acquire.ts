import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AttemptResult, LockBackend } from './backends.js';
import { describeLock, LockAbortedError, LockTimeoutError } from './errors.js';
import { HeldLock } from './held-lock.js';
import type { ResolvedAcquireOptions } from './options.js';
import type { ChannelWatch, ReleaseNotifier } from './release-notifier.js';

export interface AcquireEnvironment {
  readonly notifier: ReleaseNotifier;
  /** Longest pause between two attempts (pub/sub usually wakes a waiter much sooner). */
  readonly recheckMs: number;
  readonly onError: (error: unknown) => void;
}

/** An attempt already sent when the wait ends gets this much longer to answer. */
const REPLY_GRACE_MS = 2_000;

/**
 * Takes a lock of any kind: tries at once; if it is held, subscribes to the name's release
 * channel and tries again on each release announcement, and at the latest when the holder's
 * lease ends or `recheckMs` passed (a lost message only costs latency), until `waitMs`.
 */
export async function acquire(
  backend: LockBackend,
  options: ResolvedAcquireOptions,
  env: AcquireEnvironment,
): Promise<HeldLock> {
  const { signal } = options;
  if (signal?.aborted) throw abortedError(backend, signal);
  const token = randomBytes(16).toString('base64url');
  const deadline = performance.now() + options.waitMs;
  let watch: ChannelWatch | undefined = env.notifier.watchIfActive(backend.channel);
  try {
    for (;;) {
      const since = watch?.generation() ?? 0;
      const requestedAt = performance.now();
      const giveUpAt = Math.max(deadline, requestedAt + REPLY_GRACE_MS);
      const result = await attemptUntil(backend, token, options.ttlMs, giveUpAt, signal, env.onError);
      if (result === 'no-reply') throw timeoutError(backend, options.waitMs, 'no-reply');
      if (result.acquired) {
        return new HeldLock(backend, token, result.fence, requestedAt, options, env.onError);
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw timeoutError(backend, options.waitMs, 'held');
      if (!watch) {
        // Subscribe, then try again at once: a release between that attempt and the
        // subscription would otherwise go unnoticed until the re-check.
        watch = env.notifier.watch(backend.channel);
        await settleWithin(watch.ready, remaining, signal).catch(() => {
          throw abortedError(backend, signal);
        });
        continue;
      }
      await watch.wait(since, pauseFor(result.retryInMs, remaining, env.recheckMs), signal).catch(() => {
        throw abortedError(backend, signal);
      });
    }
  } catch (error) {
    // Not awaited: with Redis unreachable it would hold the caller's error back.
    backend.abandon?.(token).catch(env.onError);
    throw error;
  } finally {
    watch?.close();
  }
}

/** How long to sleep before the next attempt, unless a release is announced sooner. */
function pauseFor(retryInMs: number, remaining: number, recheckMs: number): number {
  // Jitter keeps many waiters re-checking after a lost message from arriving in one burst.
  const recheck = recheckMs * (0.8 + Math.random() * 0.2);
  const untilFree = retryInMs >= 0 ? retryInMs + 1 : recheck;
  return Math.max(1, Math.min(untilFree, recheck, remaining));
}

/**
 * One attempt, given up (not cancelled: Redis may still run it) at `giveUpAt` or on abort. A
 * lock granted to an attempt given up is released when the late reply arrives.
 */
function attemptUntil(
  backend: LockBackend,
  token: string,
  ttlMs: number,
  giveUpAt: number,
  signal: AbortSignal | undefined,
  onError: (error: unknown) => void,
): Promise<AttemptResult | 'no-reply'> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      settle();
      reject(abortedError(backend, signal));
    };
    const timer = setTimeout(
      () => {
        settle();
        resolve('no-reply');
      },
      Math.max(0, giveUpAt - performance.now()),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    backend.tryAcquire(token, ttlMs).then(
      (result) => {
        if (!settled) {
          settle();
          resolve(result);
        } else if (result.acquired) {
          backend.release(token).catch(onError);
        }
      },
      (error: unknown) => {
        if (!settled) {
          settle();
          reject(error);
        } else {
          onError(error);
        }
      },
    );
  });
}

/** Waits for `promise` (its outcome ignored) or `ms`, whichever first; rejects on abort. */
function settleWithin(promise: Promise<unknown>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        done();
        resolve();
      },
      () => {
        done();
        resolve();
      },
    );
  });
}

function timeoutError(backend: LockBackend, waitMs: number, reason: 'held' | 'no-reply'): LockTimeoutError {
  const why = reason === 'held' ? 'it stayed held' : 'Redis did not answer in time';
  return new LockTimeoutError(
    `${describeLock(backend.kind, backend.name)} not acquired within ${waitMs} ms: ${why}`,
    {
      context: { lock: backend.name, kind: backend.kind, waitMs, reason },
    },
  );
}

function abortedError(backend: LockBackend, signal: AbortSignal | undefined): LockAbortedError {
  return new LockAbortedError(`${describeLock(backend.kind, backend.name)}: the wait was aborted`, {
    context: { lock: backend.name, kind: backend.kind },
    cause: signal?.reason,
  });
}
