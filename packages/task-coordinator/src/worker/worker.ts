import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClaimedTaskRecord, defaultLogger, type PipelineStore, type PluginLogger } from '@covina/core';
import type { Redis } from 'ioredis';
import { failOption } from '../locks/validate.js';
import type { WorkerRegistration } from '../registry/worker-registration.js';
import { WorkerRegistry } from '../registry/worker-registry.js';
import type { WorkerEvents } from './events.js';
import { isCluster, LivenessSubscription, livenessChannel } from './liveness.js';
import { Maintenance } from './maintenance.js';
import { KEY_PART, type ResolvedWorkerOptions, resolveWorkerOptions, type WorkerOptions } from './options.js';
import { retryDelay } from './outcome.js';
import { type Outcome, RunningTask, type TaskEnvironment } from './running-task.js';
import { StageRunner } from './stage-runner.js';
import { storePrefix } from './store-prefix.js';
import type { TaskContext } from './task-context.js';

/** Longest idle wait between claims when no wake-up comes (a safety net, not a poll). */
const IDLE_RECHECK_MS = 5_000;
/** Abort reason of an idle wait cut short (a plain value: no DOMException to build). */
const WOKEN = Symbol('woken');

export interface CloseOptions {
  /**
   * How long in-flight tasks may still run, in ms; then their handlers are aborted
   * (`WorkerClosingError`) and the tasks given back for another worker to take at once.
   * @default 30_000
   */
  deadlineMs?: number;
}

export interface WorkerCounters {
  /** Tasks running now. */
  running: number;
  /** Tasks completed by this worker (skipped ones included). */
  completed: number;
  /** Failed attempts recorded by this worker. */
  failed: number;
  /** Tasks this worker lost (lease lost, cancelled, evicted). */
  lost: number;
}

/**
 * Runs tasks of one worker type from a `PipelineStore`: claims them in small batches when
 * slots are free, sleeps on the store's wake-ups when there are none, renews their leases on its
 * own timer, writes each outcome under the lease, and stops cleanly.
 *
 * ```ts
 * const worker = new Worker({ store, workerType: 'ocr', concurrency: 4, handler: async (task, ctx) => ocr(task.payload, ctx.signal) });
 * await worker.run();
 * process.once('SIGTERM', () => worker.close({ deadlineMs: 10_000 }));
 * ```
 */
export class Worker<Payload = unknown, Result = unknown> extends EventEmitter<WorkerEvents> {
  readonly store: PipelineStore;
  readonly workerType: string;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedWorkerOptions>;
  readonly #environment: TaskEnvironment;
  readonly #logger: PluginLogger;
  readonly #prefix: string;
  readonly #baseId: string;
  readonly #registry: WorkerRegistry | undefined;
  readonly #ownsRegistry: boolean;
  /** Tasks this worker holds (handler running, or outcome being written). */
  readonly #running = new Set<RunningTask>();
  /** Handlers running: what `concurrency` limits. */
  #busy = 0;
  readonly #counters = { completed: 0, failed: 0, lost: 0 };
  #id: string;
  #generation = 0;
  #registration: WorkerRegistration | undefined;
  #reRegistering: Promise<void> | undefined;
  #liveness: LivenessSubscription | undefined;
  #maintenance: Maintenance | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  /** When the store's connection came back after a loss (-Infinity: never lost since `run()`). */
  #reconnectedAt = Number.NEGATIVE_INFINITY;
  #disconnected = false;
  #onClose = () => {
    this.#disconnected = true;
  };
  #onReady = () => {
    if (this.#disconnected) this.#reconnectedAt = performance.now();
    this.#disconnected = false;
  };
  #state: 'new' | 'starting' | 'running' | 'closing' | 'closed' = 'new';
  #paused = false;
  /** Wakes the claim loop from a nap, or from its idle wait for work (set while it sleeps). */
  #wake: (() => void) | undefined;
  #starting: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: WorkerOptions<Payload, Result>) {
    super();
    this.options = Object.freeze(resolveWorkerOptions(options as WorkerOptions<never, unknown>));
    this.store = options.store;
    this.workerType = this.options.workerType;
    this.#logger = options.logger ?? (defaultLogger() as unknown as PluginLogger);
    this.#prefix = options.prefix ?? storePrefix(options.store);
    if (
      options.workerId !== undefined &&
      (typeof options.workerId !== 'string' || !KEY_PART.test(options.workerId))
    ) {
      failOption('workerId', '1 to 100 letters, digits or `_-.~/@+=`', options.workerId);
    }
    this.#baseId =
      options.workerId ??
      `${
        hostname()
          .replace(/[^A-Za-z0-9_.-]/g, '_')
          .slice(0, 60) || 'host'
      }-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#id = this.#baseId;
    let execute: (task: ClaimedTaskRecord, ctx: TaskContext) => Promise<Outcome>;
    if (options.handler) {
      const handler = options.handler as (task: ClaimedTaskRecord, ctx: TaskContext) => unknown;
      execute = async (task, ctx) => ({ result: await handler(task, ctx), skipped: false });
    } else {
      const runner = new StageRunner({
        stages: [...(options.stage ? [options.stage as never] : []), ...(options.stages ?? [])],
        logger: this.#logger,
        state: options.state,
        prefix: this.#prefix,
      });
      execute = (task, ctx) => runner.execute(task, ctx);
    }
    this.#environment = {
      store: this.store,
      leaseMs: this.options.leaseMs,
      timeoutMs: this.options.timeoutMs,
      execute,
      listening: (event) => this.listenerCount(event) > 0,
      emit: (event, ...args) => this.#emit(event, ...args),
      reportError: (error) => this.#reportError(error),
      slotFreed: () => {
        this.#busy--;
        this.#wakeLoop();
      },
      finished: (task) => {
        this.#running.delete(task);
        if (task.ending === 'completed') this.#counters.completed++;
        else if (task.ending === 'failed') this.#counters.failed++;
        else if (task.ending === 'lost') this.#counters.lost++;
        this.#wakeLoop();
      },
    };
    this.#ownsRegistry = options.registry === undefined;
    this.#registry =
      options.registry === false
        ? undefined
        : (options.registry ??
          new WorkerRegistry({
            redis: options.store.redis,
            namespace: options.store.pipeline,
            prefix: this.#prefix,
            onError: (error) => this.#reportError(error),
          }));
  }

  /** This worker's id in task leases and in the registry (it changes after an eviction). */
  get id(): string {
    return this.#id;
  }

  /** Claiming and running (false before `run()`, while paused, and once closing). */
  get isRunning(): boolean {
    return this.#state === 'running' && !this.#paused;
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  /** Counts since `run()`. */
  get counters(): WorkerCounters {
    return { running: this.#busy, ...this.#counters };
  }

  /**
   * Registers the worker, starts its timers and its claim loop; resolves once it is claiming.
   * The loop runs until `close()`, through Redis restarts and failovers.
   */
  run(): Promise<void> {
    if (this.#state !== 'new') {
      return Promise.reject(new Error(`Worker ${this.#id} was already started (${this.#state})`));
    }
    this.#state = 'starting';
    this.#starting = this.#boot();
    return this.#starting;
  }

  async #boot(): Promise<void> {
    const redis = this.store.redis;
    redis.on('close', this.#onClose);
    redis.on('ready', this.#onReady);
    const probe = this.options.livenessProbe && this.#registry !== undefined && !isCluster(redis);
    if (probe) this.#liveness = new LivenessSubscription(redis as Redis);
    try {
      await this.#register();
      await this.store.watchWork([this.workerType]);
    } catch (error) {
      this.#state = 'closed';
      await this.#release();
      throw error;
    }
    this.#maintenance = new Maintenance({
      store: this.store,
      registry: this.#registry,
      intervalMs: this.options.sweepIntervalMs,
      claimMs: Math.max(1_000, 3 * this.options.heartbeatMs),
      lockMs: Math.max(1_000, 3 * this.options.heartbeatMs),
      probe,
      settleMs: this.options.heartbeatMs * this.options.missedHeartbeats,
      reconnectedAt: () => this.#reconnectedAt,
      onError: (error) => this.#reportError(error),
    });
    this.#maintenance.start();
    this.#renewTimer = setInterval(() => this.#renewLeases(), this.options.heartbeatMs);
    this.#renewTimer.unref();
    if (this.#state !== 'starting') return; // close() was called meanwhile: it takes over from here
    this.#state = 'running';
    this.#loop = this.#claimLoop();
  }

  /** Stops claiming; tasks in flight go on. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#wakeLoop();
    this.#updateStatus();
  }

  /** Claims again after `pause()`. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wakeLoop();
    this.#updateStatus();
  }

  /**
   * Stops claiming, lets tasks in flight finish until `deadlineMs`, then aborts the rest and
   * gives them back so other workers take them at once; deregisters. The store stays open.
   * Safe to call twice (the second call waits for the first).
   */
  close(options: CloseOptions = {}): Promise<void> {
    const deadlineMs = options.deadlineMs ?? 30_000;
    if (typeof deadlineMs !== 'number' || !(deadlineMs >= 0))
      failOption('deadlineMs', 'a number of ms >= 0', deadlineMs);
    this.#closing ??= this.#close(deadlineMs);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- claiming -------------------------------------------------------------------------------

  async #claimLoop(): Promise<void> {
    const { concurrency, claimBatchSize, leaseMs } = this.options;
    let failures = 0;
    while (this.#state === 'running') {
      if (this.#paused) {
        await this.#nap();
        continue;
      }
      if (this.#reRegistering) {
        await this.#reRegistering;
        continue;
      }
      // Outcomes being written do not hold a slot, but at most `concurrency` of them at once.
      const free = Math.min(concurrency - this.#busy, 2 * concurrency - this.#running.size);
      if (free <= 0) {
        await this.#nap();
        continue;
      }
      let claimed: ClaimedTaskRecord[];
      try {
        claimed = await this.store.claimTasks(this.workerType, Math.min(free, claimBatchSize), {
          workerId: this.#id,
          leaseMs,
        });
        failures = 0;
      } catch (error) {
        this.#reportError(error);
        await this.#nap(retryDelay(failures++));
        continue;
      }
      if (this.#state !== 'running') {
        await Promise.all(claimed.map((task) => this.#giveBackUnstarted(task)));
        break;
      }
      for (const task of claimed) this.#start(task);
      if (claimed.length === 0) await this.#waitForWork();
    }
  }

  async #waitForWork(): Promise<void> {
    const controller = new AbortController();
    this.#wake = () => controller.abort(WOKEN);
    try {
      await this.store.waitForWork(this.workerType, {
        timeoutMs: IDLE_RECHECK_MS,
        signal: controller.signal,
      });
    } catch (error) {
      this.#reportError(error);
      await this.#nap(retryDelay(3));
    } finally {
      this.#wake = undefined;
    }
  }

  #start(task: ClaimedTaskRecord): void {
    const running = new RunningTask(task, this.#environment);
    this.#running.add(running);
    this.#busy++;
    running.start();
  }

  async #giveBackUnstarted(task: ClaimedTaskRecord): Promise<void> {
    try {
      await this.store.releaseTask(task.id, task.leaseToken);
      this.#emit('task:released', { task, workerId: task.workerId, reason: 'unstarted' });
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** Sleeps until `ms` passed (until woken without it): a slot freed, pause, resume, close. */
  async #nap(ms?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (ms !== undefined) timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.#wake = undefined;
  }

  /** Wakes the claim loop if it sleeps; awake, it sees every change on its next turn. */
  #wakeLoop(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  // ---- leases and registration ----------------------------------------------------------------

  async #renewLeases(): Promise<void> {
    this.#updateStatus();
    if (this.#renewing) return; // a slow Redis must not pile renewals up
    this.#renewing = true;
    try {
      await Promise.all([...this.#running].filter((t) => t.holdsLease).map((t) => t.renew()));
    } finally {
      this.#renewing = false;
    }
  }

  #updateStatus(): void {
    this.#registration?.setStatus({
      running: this.#busy,
      completed: this.#counters.completed,
      failed: this.#counters.failed,
      paused: this.#paused,
    });
  }

  async #register(): Promise<void> {
    if (!this.#registry) return;
    const channel = livenessChannel(this.#prefix, this.#registry.namespace, this.#id);
    await this.#liveness?.announce(channel);
    const registration = await this.#registry.registerWorker({
      id: this.#id,
      workerTypes: [this.workerType],
      concurrency: this.options.concurrency,
      version: this.options.version,
      heartbeatMs: this.options.heartbeatMs,
      missedHeartbeats: this.options.missedHeartbeats,
      meta: {
        pipeline: this.store.pipeline,
        leaseMs: this.options.leaseMs,
        ...(this.#liveness ? { liveness: channel } : {}),
      },
    });
    this.#registration = registration;
    this.#updateStatus();
    registration.signal.addEventListener('abort', () => this.#evicted(registration), { once: true });
  }

  /**
   * The registry declared this worker dead while it was alive (it stalled, or Redis was away
   * longer than the heartbeat deadline): its tasks may run elsewhere now. Abort them and join
   * again under a new id.
   */
  #evicted(registration: WorkerRegistration): void {
    if (this.#registration !== registration || this.#state !== 'running') return;
    const reason = registration.signal.reason;
    for (const task of this.#running) if (task.workerId === registration.id) void task.abandon(reason);
    this.#reRegistering = this.#rejoin().finally(() => {
      this.#reRegistering = undefined;
      this.#wakeLoop();
    });
  }

  async #rejoin(): Promise<void> {
    for (let attempt = 0; this.#state === 'running'; attempt++) {
      this.#id = `${this.#baseId}~${++this.#generation}`;
      try {
        await this.#register();
        return;
      } catch (error) {
        this.#reportError(error);
        await sleep(retryDelay(attempt + 3));
      }
    }
  }

  // ---- shutdown -------------------------------------------------------------------------------

  async #close(deadlineMs: number): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'closed';
      this.#emit('closed');
      return;
    }
    this.#state = 'closing';
    await this.#starting?.catch(() => {}); // a failed start has released everything already
    this.#wakeLoop();
    await this.#loop;
    const inFlight = [...this.#running];
    if (inFlight.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([Promise.all(inFlight.map((t) => t.finished)), deadline]);
      clearTimeout(timer);
      await Promise.all([...this.#running].map((t) => t.giveBack(deadlineMs)));
    }
    await this.#reRegistering;
    await this.#release();
    this.#state = 'closed';
    this.#emit('closed');
  }

  /** Stops the timers, deregisters, closes what the worker opened (not the store). */
  async #release(): Promise<void> {
    clearInterval(this.#renewTimer);
    await this.#maintenance?.close();
    this.store.redis.off('close', this.#onClose);
    this.store.redis.off('ready', this.#onReady);
    await this.#registration?.close().catch((error: unknown) => this.#reportError(error));
    if (this.#ownsRegistry) await this.#registry?.close();
    await this.#liveness?.close();
  }

  // ---- events ---------------------------------------------------------------------------------

  /** Emits without letting a throwing listener break the worker. */
  #emit<E extends keyof WorkerEvents>(event: E, ...args: WorkerEvents[E]): void {
    try {
      (this.emit as (event: string, ...rest: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      this.#logger.error({ err: error, event }, 'a Worker event listener threw');
    }
  }

  #reportError(error: unknown): void {
    if (this.listenerCount('error') > 0) this.#emit('error', error);
    else this.#logger.warn({ err: error, workerId: this.#id }, 'worker error (retrying on its own)');
  }
}
