import { defineLuaScript, loadScripts, type ScriptRunner } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';
import claimDead from './lua/claim-dead-6.lua';
import deregister from './lua/deregister-4.lua';
import heartbeat from './lua/heartbeat-3.lua';
import list from './lua/list-6.lua';
import markRecovered from './lua/mark-recovered-3.lua';
import register from './lua/register-6.lua';

/**
 * Bump when any registry script changes behaviour: scripts are registered as
 * `covina_worker<Name>_v<version>`, so two library versions sharing one Redis never mix.
 */
export const REGISTRY_SCRIPTS_VERSION = 1;

export const registryScripts = [
  defineLuaScript('workerRegister', 6, register),
  defineLuaScript('workerHeartbeat', 3, heartbeat),
  defineLuaScript('workerDeregister', 4, deregister),
  defineLuaScript('workerClaimDead', 6, claimDead),
  defineLuaScript('workerMarkRecovered', 3, markRecovered),
  defineLuaScript('workerList', 6, list, { readOnly: true }),
] as const;

export type RegistryScripts = ScriptRunner<(typeof registryScripts)[number]['name']>;

/** Success is positive; these are the refusals, each mapped to one error or outcome. */
export enum RegistryReply {
  /** register: the id is taken (→ `WorkerIdTakenError`); heartbeat, deregister: the session is gone (→ `WorkerEvictedError`); markRecovered: already confirmed. */
  Refused = -1,
}

export function loadRegistryScripts(redis: Redis | Cluster): RegistryScripts {
  return loadScripts(redis, registryScripts, { version: REGISTRY_SCRIPTS_VERSION });
}
