import { defineLuaScript, loadScripts, type ScriptRunner } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';
import fenceCheck from './lua/fence-check-1.lua';
import leaseCount from './lua/lease-count-1.lua';
import mutexAcquire from './lua/mutex-acquire-2.lua';
import mutexExtend from './lua/mutex-extend-1.lua';
import mutexRelease from './lua/mutex-release-1.lua';
import permitAcquire from './lua/permit-acquire-2.lua';
import permitExtend from './lua/permit-extend-1.lua';
import permitRelease from './lua/permit-release-1.lua';
import readAcquire from './lua/read-acquire-4.lua';
import writeAcquire from './lua/write-acquire-4.lua';
import writeCancel from './lua/write-cancel-1.lua';

/**
 * Bump when any lock script changes behaviour: scripts are registered as
 * `covina_lock<Name>_v<version>`, so two library versions sharing one Redis never mix.
 */
export const LOCK_SCRIPTS_VERSION = 2;

export const lockScripts = [
  defineLuaScript('lockMutexAcquire', 2, mutexAcquire),
  defineLuaScript('lockMutexExtend', 1, mutexExtend),
  defineLuaScript('lockMutexRelease', 1, mutexRelease),
  defineLuaScript('lockPermitAcquire', 2, permitAcquire),
  defineLuaScript('lockPermitExtend', 1, permitExtend),
  defineLuaScript('lockPermitRelease', 1, permitRelease),
  defineLuaScript('lockReadAcquire', 4, readAcquire),
  defineLuaScript('lockWriteAcquire', 4, writeAcquire),
  defineLuaScript('lockWriteCancel', 1, writeCancel),
  defineLuaScript('lockFenceCheck', 1, fenceCheck),
  defineLuaScript('lockLeaseCount', 1, leaseCount, { readOnly: true }),
] as const;

export type LockScriptName = (typeof lockScripts)[number]['name'];
export type LockScripts = ScriptRunner<LockScriptName>;

/**
 * What the lock scripts answer. Success is 1; a refusal is negative and means "held by someone
 * else" for an acquire (→ wait, then `LockTimeoutError`), "not yours any more" for an extend or
 * a release (→ `LockLostError`), "a newer token was seen" for a fence check
 * (→ `StaleFenceTokenError`).
 */
export enum LockReply {
  Ok = 1,
  Refused = -1,
}

export function loadLockScripts(redis: Redis | Cluster): LockScripts {
  return loadScripts(redis, lockScripts, { version: LOCK_SCRIPTS_VERSION });
}

/** `{status, value}` replies of acquire and fence scripts. */
export function pairReply(reply: unknown): [status: number, value: number] {
  const [status, value] = reply as [number | string, number | string];
  return [Number(status), Number(value)];
}
