export {
  describeLock,
  type InvalidOptionContext,
  InvalidOptionError,
  type LockAbortedContext,
  LockAbortedError,
  type LockKind,
  type LockLostContext,
  LockLostError,
  type LockTimeoutContext,
  LockTimeoutError,
  lockErrors,
  type StaleFenceTokenContext,
  StaleFenceTokenError,
} from './errors.js';
export type { Lock } from './held-lock.js';
export type { CoordinationKeys } from './keys.js';
export { createLockManager, LockManager } from './lock-manager.js';
export type { AcquireOptions, LockManagerOptions } from './options.js';
export { ReadWriteLock } from './read-write-lock.js';
export { LOCK_SCRIPTS_VERSION, LockReply, lockScripts } from './scripts.js';
export { Semaphore } from './semaphore.js';
