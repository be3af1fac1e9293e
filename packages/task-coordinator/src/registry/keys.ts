import type { CoordinationKeys } from '../locks/keys.js';

/** The keys of one registry namespace, in the order the scripts take them. */
export interface RegistryKeys {
  readonly live: string;
  readonly info: string;
  readonly state: string;
  readonly status: string;
  readonly recovering: string;
  readonly dead: string;
}

export function registryKeys(keys: CoordinationKeys, namespace: string): RegistryKeys {
  return {
    live: keys.format('workers', { namespace }),
    info: keys.format('workersInfo', { namespace }),
    state: keys.format('workersState', { namespace }),
    status: keys.format('workersStatus', { namespace }),
    recovering: keys.format('workersRecovering', { namespace }),
    dead: keys.format('workersDead', { namespace }),
  };
}

/** All six keys: register, claimDead, list. */
export const allKeys = (k: RegistryKeys) => [k.live, k.info, k.state, k.status, k.recovering, k.dead];
