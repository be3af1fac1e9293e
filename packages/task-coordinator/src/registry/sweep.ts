import type { LockManager } from '../locks/lock-manager.js';
import { allKeys, type RegistryKeys } from './keys.js';
import { REGISTRY_DEFAULTS, type SweepOptions } from './options.js';
import type { RegistryScripts } from './scripts.js';
import { toWorkerRecord, type WorkerRecord } from './worker-record.js';

/** What one sweep did. */
export interface SweepResult {
  /** False when another process was sweeping (it holds the sweep lock): nothing was done here. */
  readonly swept: boolean;
  /** Workers declared dead and recovered by this sweep (`onWorkerDead` succeeded). */
  readonly recovered: readonly WorkerRecord[];
  /** Workers whose `onWorkerDead` failed; offered again after `claimMs`. */
  readonly failed: ReadonlyArray<{ readonly worker: WorkerRecord; readonly error: unknown }>;
}

export interface SweepEnvironment {
  scripts: RegistryScripts;
  keys: RegistryKeys;
  locks: LockManager;
  namespace: string;
  onError: (error: unknown) => void;
}

/** Bounds one sweep: at most this many batches, the rest waits for the next sweep. */
const MAX_BATCHES = 20;

/** The lock that keeps sweeps of one namespace to one process at a time. */
export function sweepLockName(namespace: string): string {
  return `workers-sweep.${namespace}`;
}

/**
 * One sweep: if no other process is sweeping this namespace, claims dead workers in batches
 * (atomically, so each is claimed once) and runs `onWorkerDead` for each, then confirms it.
 */
export async function sweepOnce(env: SweepEnvironment, options: SweepOptions = {}): Promise<SweepResult> {
  const claimMs = options.claimMs ?? REGISTRY_DEFAULTS.claimMs;
  const batchSize = options.batchSize ?? REGISTRY_DEFAULTS.batchSize;
  const retentionMs = options.retentionMs ?? REGISTRY_DEFAULTS.retentionMs;
  // The lock's lease is short and renewed while we sweep: a sweeper that dies blocks the others
  // only for `lockMs`, however long the claim on each dead worker (`claimMs`).
  const lock = await env.locks.tryAcquireLock(sweepLockName(env.namespace), {
    ttlMs: options.lockMs ?? REGISTRY_DEFAULTS.lockMs,
    autoExtend: true,
  });
  if (!lock) return { swept: false, recovered: [], failed: [] };

  const recovered: WorkerRecord[] = [];
  const failed: Array<{ worker: WorkerRecord; error: unknown }> = [];
  try {
    for (let batch = 0; batch < MAX_BATCHES && !lock.signal.aborted; batch++) {
      const reply = (await env.scripts.run('workerClaimDead', allKeys(env.keys), [
        batchSize,
        claimMs,
        retentionMs,
      ])) as [number, ...string[]];
      const claimed = readClaims(reply);
      for (const worker of claimed) {
        if (lock.signal.aborted) break;
        try {
          await options.onWorkerDead?.(worker, { signal: lock.signal });
          await env.scripts.run(
            'workerMarkRecovered',
            [env.keys.recovering, env.keys.dead, env.keys.state],
            [worker.id],
          );
          recovered.push(worker);
        } catch (error) {
          failed.push({ worker, error });
          env.onError(error);
        }
      }
      if (claimed.length < batchSize) break;
    }
  } finally {
    await lock.release().catch(env.onError);
  }
  return { swept: true, recovered, failed };
}

/** `{now, id, info, state, status, …}` from the claim script, as records of dead workers. */
function readClaims(reply: [number, ...string[]]): WorkerRecord[] {
  const [nowRaw, ...flat] = reply;
  const now = Number(nowRaw);
  const workers: WorkerRecord[] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) {
    workers.push(
      toWorkerRecord({
        id: flat[i]!,
        now,
        info: flat[i + 1],
        state: flat[i + 2],
        status: flat[i + 3],
        deadline: undefined,
        recovery: 'in-progress',
      }),
    );
  }
  return workers;
}
