import type { PipelineStore, PluginLogger, StageDefinition, StateStore } from '@covina/core';
import { failOption, integerOption } from '../locks/validate.js';
import type { WorkerRegistry } from '../registry/worker-registry.js';
import type { TaskHandler } from './task-context.js';

export interface WorkerOptions<Payload = unknown, Result = unknown> {
  /** The pipeline the worker claims tasks from. The worker never closes it. */
  store: PipelineStore;
  /**
   * Queue to claim from (`NewTask.workerType`).
   * @default the stage's `workerType ?? taskType` (required with `handler`)
   */
  workerType?: string;
  /**
   * Runs one task; what it resolves to becomes the task's `resultData`, a throw fails the
   * attempt (retried while attempts remain; `NonRetryableError` fails it for good). Give
   * `handler` or `stage`/`stages`.
   */
  handler?: TaskHandler<Payload, Result>;
  /** A plugin stage to run instead of a handler (see the README: `accepts`, skipped tasks). */
  stage?: StageDefinition<Payload, Result>;
  /** Several stages sharing one worker type; each task runs the stage of its `taskType`. */
  stages?: readonly StageDefinition[];
  /**
   * Tasks run at once by this worker.
   * @default the stage's `concurrency`, else 1
   */
  concurrency?: number;
  /**
   * Tasks claimed per round trip at most, when several slots are free (a worker never claims
   * more tasks than it has free slots).
   * @default 64
   */
  claimBatchSize?: number;
  /**
   * Lease of each claim, in ms: if this worker dies, its tasks run elsewhere at the latest this
   * long after its last renewal (sooner through the worker registry).
   * @default the store's `leaseMs` (30 000)
   */
  leaseMs?: number;
  /**
   * Period of the lease renewals and of the registry heartbeat, in ms; at most `leaseMs / 2`.
   * @default min(5 000, leaseMs / 3)
   */
  heartbeatMs?: number;
  /**
   * Heartbeats a worker may miss before the registry declares it dead and its tasks are
   * recovered (a `kill -9` is noticed sooner: see `livenessProbe`).
   * @default 3
   */
  missedHeartbeats?: number;
  /**
   * Time one attempt may take, in ms; then the handler's signal aborts with `TaskTimeoutError`
   * and the attempt fails.
   * @default the stage's `timeoutMs`, else no limit
   */
  timeoutMs?: number;
  /**
   * The registry the worker registers in, heartbeats to and sweeps (one sweeper at a time
   * across processes), or `false` to run without one (dead workers' tasks then come back only
   * when their leases expire).
   * @default a registry on the store's client, namespace = the pipeline's name
   */
  registry?: WorkerRegistry | false;
  /**
   * Worker id (what task leases and the registry name). A worker declared dead while alive
   * registers again under `<id>~<n>`.
   * @default `<host>-<pid>-<random>`
   */
  workerId?: string;
  /**
   * Period of the maintenance round (dead-worker sweep, liveness probe, expired-lease
   * recovery), in ms; only one process runs a round at a time.
   * @default heartbeatMs
   */
  sweepIntervalMs?: number;
  /**
   * Notice a hard-killed worker before it misses `missedHeartbeats`: each worker keeps a
   * pub/sub subscription open, and a worker that missed one heartbeat and has no connection
   * left on the server has its tasks recovered at once. Standalone Redis only (ignored on a
   * Cluster).
   * @default true
   */
  livenessProbe?: boolean;
  /**
   * Version of the worker's code, listed by the registry.
   * @default '0.0.0'
   */
  version?: string;
  /**
   * Key prefix of the registry the worker creates and of its liveness channel.
   * @default the store's prefix
   */
  prefix?: string;
  /**
   * Logger for the worker and, bound to the stage and task, for stages (a pino logger fits).
   * @default `defaultLogger()` of @covina/core (silent unless COVINA_LOG_LEVEL is set)
   */
  logger?: PluginLogger;
  /**
   * Stages only: their key-value state (`ctx.state`).
   * @default a StateStore on the store's client, namespace `stage.<taskType>`
   */
  state?: StateStore;
}

export interface ResolvedWorkerOptions {
  workerType: string;
  concurrency: number;
  claimBatchSize: number;
  leaseMs: number;
  heartbeatMs: number;
  missedHeartbeats: number;
  timeoutMs: number | undefined;
  sweepIntervalMs: number;
  livenessProbe: boolean;
  version: string;
}

/** What the store accepts in a worker type or worker id (they become parts of keys). */
export const KEY_PART = /^[A-Za-z0-9_.~@+=/-]{1,100}$/;
const MAX_MS = 7 * 86_400_000;

function msOption(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_MS) {
    failOption(option, `an integer number of ms between ${min} and ${MAX_MS}`, value);
  }
  return value;
}

/** Checks the options (an `InvalidOptionError` names the first bad one) and fills the defaults. */
export function resolveWorkerOptions(options: WorkerOptions<never, unknown>): ResolvedWorkerOptions {
  if (typeof options !== 'object' || options === null) failOption('options', 'an object', options);
  if (typeof options.store?.claimTasks !== 'function') failOption('store', 'a PipelineStore', options.store);
  const stages = [...(options.stage ? [options.stage] : []), ...(options.stages ?? [])];
  const hasHandler = options.handler !== undefined;
  if (hasHandler && typeof options.handler !== 'function')
    failOption('handler', 'a function', options.handler);
  if (hasHandler === stages.length > 0) {
    failOption('handler', 'given, or else `stage`/`stages` (exactly one of them)', options.handler);
  }
  for (const [i, stage] of stages.entries()) {
    if (typeof stage?.run !== 'function' || typeof stage.taskType !== 'string') {
      failOption(`stages[${i}]`, 'a StageDefinition (taskType and run)', stage);
    }
  }
  const workerType = options.workerType ?? stages[0]?.workerType ?? stages[0]?.taskType;
  if (typeof workerType !== 'string' || !KEY_PART.test(workerType)) {
    failOption('workerType', '1 to 100 letters, digits or `_-.~/@+=`', workerType);
  }
  const stray = stages.find((s) => (s.workerType ?? s.taskType) !== workerType);
  if (stray) failOption('stages', `stages of worker type "${workerType}" only`, stray.taskType);

  const stageMax = (pick: (s: StageDefinition) => number | undefined) =>
    stages.reduce<number | undefined>((max, s) => {
      const v = pick(s);
      return v === undefined ? max : Math.max(max ?? 0, v);
    }, undefined);
  const concurrency = integerOption(
    'concurrency',
    options.concurrency ?? stageMax((s) => s.concurrency) ?? 1,
    1,
  );
  const claimBatchSize = integerOption('claimBatchSize', options.claimBatchSize ?? 64, 1);
  const leaseMs = msOption('leaseMs', options.leaseMs ?? options.store.options.leaseMs, 100);
  const heartbeatMs = msOption(
    'heartbeatMs',
    options.heartbeatMs ?? Math.min(5_000, Math.floor(leaseMs / 3)),
    10,
  );
  if (heartbeatMs > leaseMs / 2) {
    failOption(
      'heartbeatMs',
      `at most leaseMs / 2 (${Math.floor(leaseMs / 2)}) so a lease outlives a failed renewal`,
      heartbeatMs,
    );
  }
  const timeout = options.timeoutMs ?? stageMax((s) => s.timeoutMs);
  const version = options.version ?? '0.0.0';
  if (typeof version !== 'string') failOption('version', 'a string', version);
  if (options.livenessProbe !== undefined && typeof options.livenessProbe !== 'boolean') {
    failOption('livenessProbe', 'true or false', options.livenessProbe);
  }
  return {
    workerType,
    concurrency,
    claimBatchSize,
    leaseMs,
    heartbeatMs,
    missedHeartbeats: integerOption('missedHeartbeats', options.missedHeartbeats ?? 3, 1),
    timeoutMs: timeout === undefined ? undefined : msOption('timeoutMs', timeout, 1),
    sweepIntervalMs: msOption('sweepIntervalMs', options.sweepIntervalMs ?? heartbeatMs, 10),
    livenessProbe: options.livenessProbe ?? true,
    version,
  };
}
