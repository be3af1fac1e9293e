import type { Lock } from './held-lock.js';

/**
 * Runs `fn` while holding `lock`, then releases it. If the lock was lost while `fn` ran (its
 * work may have overlapped another holder's), the call rejects with that `LockLostError` even
 * when `fn` succeeded; an error thrown by `fn` wins over both. A failed release is reported to
 * `onError`, not thrown: the work is done and the lease frees itself when it runs out.
 */
export async function runHolding<T>(
  lock: Lock,
  fn: (lock: Lock) => Promise<T> | T,
  onError: (error: unknown) => void,
): Promise<T> {
  let result: T;
  try {
    result = await fn(lock);
  } finally {
    await lock.release().catch(onError);
  }
  if (lock.signal.aborted) throw lock.signal.reason;
  return result;
}
