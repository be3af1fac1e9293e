import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError } from '../locks/errors.js';
import { type CoordinationKeys, resolveKeys } from '../locks/keys.js';
import { LockManager } from '../locks/lock-manager.js';
import { durationOption, failOption, integerOption } from '../locks/validate.js';
import { WorkerIdTakenError } from './errors.js';
import { allKeys, type RegistryKeys, registryKeys } from './keys.js';
import {
  REGISTRY_DEFAULTS,
  type RegisterWorkerOptions,
  type SweeperOptions,
  type SweepOptions,
  type WorkerRegistryOptions,
} from './options.js';
import { loadRegistryScripts, type RegistryScripts } from './scripts.js';
import { type SweepEnvironment, type SweepResult, sweepOnce } from './sweep.js';
import { type DeadWorkerSweeper, IntervalSweeper } from './sweeper.js';
import { parseSnapshot, type WorkerDescription, type WorkerRecord } from './worker-record.js';
import { ActiveRegistration, type WorkerRegistration } from './worker-registration.js';

/** Worker ids end up in keys and task leases: one key segment. */
const WORKER_ID = /^[^\s:{}]{1,200}$/;

/**
 * Which workers exist and which are alive, for one namespace (a pipeline, or `global`).
 * Workers register and heartbeat; any process can list them, and sweepers (one at a time)
 * turn silent workers into dead ones and hand them to `onWorkerDead` exactly once, so their
 * tasks are recovered without waiting for every lease to expire.
 *
 * ```ts
 * const registry = createWorkerRegistry({ redis, namespace: 'docs' });
 * const me = await registry.registerWorker({ workerTypes: ['nlp'], concurrency: 4, version: '1.2.0' });
 * registry.startSweeper({ onWorkerDead: (w) => store.releaseTasksOfWorker(w.id) });
 * ```
 */
export class WorkerRegistry {
  readonly namespace: string;
  readonly #scripts: RegistryScripts;
  readonly #keys: RegistryKeys;
  readonly #locks: LockManager;
  readonly #ownsLocks: boolean;
  readonly #onError: (error: unknown) => void;
  readonly #registrations = new Set<ActiveRegistration>();
  readonly #sweepers = new Set<IntervalSweeper>();

  constructor(options: WorkerRegistryOptions) {
    if (typeof options?.redis?.defineCommand !== 'function') {
      failOption('redis', 'an ioredis Redis or Cluster client', options?.redis);
    }
    this.namespace = options.namespace ?? REGISTRY_DEFAULTS.namespace;
    const keys: CoordinationKeys = resolveKeys(options.keys, options.prefix);
    this.#keys = registryKeys(keys, this.namespace);
    this.#scripts = loadRegistryScripts(options.redis);
    this.#onError = options.onError ?? (() => {});
    this.#ownsLocks = options.locks === undefined;
    this.#locks = options.locks ?? new LockManager({ redis: options.redis, keys, onError: this.#onError });
  }

  /**
   * Registers this process as a worker and heartbeats every `heartbeatMs` (an unref'd timer)
   * until `close()`.
   * @throws WorkerIdTakenError when `id` is still registered
   */
  async registerWorker(options: RegisterWorkerOptions = {}): Promise<WorkerRegistration> {
    const description = describe(options);
    const session = randomBytes(16).toString('base64url');
    const status = options.status === undefined ? '' : JSON.stringify(options.status);
    const reply = (await this.#scripts.run('workerRegister', allKeys(this.#keys), [
      description.id,
      session,
      JSON.stringify(description),
      description.deadAfterMs,
      status,
    ])) as [number, number | string];
    if (Number(reply[0]) !== 1) {
      const state = reply[1] === 'recovering' ? 'recovering' : 'alive';
      throw new WorkerIdTakenError(
        `Worker id "${description.id}" is still registered in namespace "${this.namespace}" (${state}); ` +
          'use a unique id per process',
        { context: { workerId: description.id, namespace: this.namespace, state } },
      );
    }
    const registration = new ActiveRegistration({
      scripts: this.#scripts,
      keys: this.#keys,
      namespace: this.namespace,
      description,
      session,
      registeredAt: Number(reply[1]),
      status,
      onError: this.#onError,
      onClosed: (r) => this.#registrations.delete(r),
    });
    this.#registrations.add(registration);
    return registration;
  }

  /** Every worker of this namespace: alive ones, dead ones not yet recovered, and recently recovered ones. */
  async listWorkers(): Promise<WorkerRecord[]> {
    return parseSnapshot(await this.#scripts.run('workerList', allKeys(this.#keys), []));
  }

  /** Workers that missed their deadline and whose tasks are not recovered yet (read only). */
  async findDeadWorkers(): Promise<WorkerRecord[]> {
    return (await this.listWorkers()).filter((w) => w.state === 'dead' && w.recovery !== 'done');
  }

  /**
   * Sweeps once: declares silent workers dead and runs `onWorkerDead` for each, unless another
   * process is sweeping this namespace right now (`swept: false`).
   */
  sweep(options: SweepOptions = {}): Promise<SweepResult> {
    return sweepOnce(this.#sweepEnvironment(), checkSweepOptions(options));
  }

  /**
   * Sweeps every `intervalMs` (an unref'd timer) until closed. Run one in every worker process:
   * only one sweeps at a time, and a dead worker is handed to `onWorkerDead` once.
   */
  startSweeper(options: SweeperOptions = {}): DeadWorkerSweeper {
    const checked = checkSweepOptions(options);
    if (options.intervalMs !== undefined) durationOption('intervalMs', options.intervalMs, 1);
    const sweeper = new IntervalSweeper(this.#sweepEnvironment(), checked, (s) => this.#sweepers.delete(s));
    this.#sweepers.add(sweeper);
    return sweeper;
  }

  /** Stops this registry's sweepers, deregisters its workers, closes the lock manager it made. */
  async close(): Promise<void> {
    await Promise.all([...this.#sweepers].map((s) => s.close()));
    await Promise.all([...this.#registrations].map((r) => r.close().catch(this.#onError)));
    if (this.#ownsLocks) await this.#locks.close();
  }

  #sweepEnvironment(): SweepEnvironment {
    return {
      scripts: this.#scripts,
      keys: this.#keys,
      locks: this.#locks,
      namespace: this.namespace,
      onError: this.#onError,
    };
  }
}

/** Creates a {@link WorkerRegistry} on an ioredis `Redis` or `Cluster`. */
export function createWorkerRegistry(options: WorkerRegistryOptions): WorkerRegistry {
  return new WorkerRegistry(options);
}

function describe(options: RegisterWorkerOptions): WorkerDescription {
  const host = options.host ?? hostname();
  const pid = options.pid ?? process.pid;
  const id = options.id ?? `${host.replace(/[\s:{}]/g, '_')}-${pid}-${randomBytes(4).toString('hex')}`;
  if (typeof id !== 'string' || !WORKER_ID.test(id)) {
    failOption('id', '1 to 200 characters without whitespace, ":", "{" or "}"', id);
  }
  if (typeof host !== 'string') failOption('host', 'a string', host);
  integerOption('pid', pid, 0);
  const workerTypes = options.workerTypes ?? [];
  if (!Array.isArray(workerTypes) || workerTypes.some((t) => typeof t !== 'string')) {
    throw new InvalidOptionError('Option "workerTypes" must be an array of strings', {
      context: { option: 'workerTypes', expected: 'an array of strings' },
    });
  }
  const concurrency = integerOption('concurrency', options.concurrency ?? 1, 1);
  const version = options.version ?? '0.0.0';
  if (typeof version !== 'string') failOption('version', 'a string', version);
  const heartbeatMs = durationOption('heartbeatMs', options.heartbeatMs ?? REGISTRY_DEFAULTS.heartbeatMs, 10);
  const missed = integerOption(
    'missedHeartbeats',
    options.missedHeartbeats ?? REGISTRY_DEFAULTS.missedHeartbeats,
    1,
  );
  return {
    id,
    host,
    pid,
    workerTypes: [...workerTypes],
    concurrency,
    version,
    heartbeatMs,
    deadAfterMs: heartbeatMs * missed,
    meta: options.meta ?? {},
  };
}

function checkSweepOptions<T extends SweepOptions>(options: T): T {
  if (options.claimMs !== undefined) durationOption('claimMs', options.claimMs, 10);
  if (options.lockMs !== undefined) durationOption('lockMs', options.lockMs, 30);
  if (options.batchSize !== undefined) integerOption('batchSize', options.batchSize, 1);
  if (options.retentionMs !== undefined) durationOption('retentionMs', options.retentionMs, 0);
  if (options.onWorkerDead !== undefined && typeof options.onWorkerDead !== 'function') {
    failOption('onWorkerDead', 'a function', options.onWorkerDead);
  }
  return options;
}
