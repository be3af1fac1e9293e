import type { PipelineStore } from '@covina/core';
import type { Redis } from 'ioredis';
import type { WorkerRegistry } from '../registry/worker-registry.js';
import { findVanishedWorkers } from './liveness.js';

export interface MaintenanceOptions {
  store: PipelineStore;
  /** Without one, a round only recovers expired leases and due delayed tasks. */
  registry: WorkerRegistry | undefined;
  intervalMs: number;
  /**
   * How long a claimed dead worker stays reserved for the sweeper that claimed it: if that
   * process dies (it may be the next to be killed), another recovers the worker after this long.
   */
  claimMs: number;
  /** Lease of the sweep lock (renewed while sweeping): a dead sweeper blocks others this long. */
  lockMs: number;
  /** Probe liveness channels (standalone Redis only). */
  probe: boolean;
  /**
   * How long after its own reconnection this process waits before judging others by their
   * connections: right after a Redis restart, everyone is reconnecting.
   */
  settleMs: number;
  /** When the store's connection last came back (performance.now(); -Infinity: never lost). */
  reconnectedAt: () => number;
  onError: (error: unknown) => void;
}

/**
 * The maintenance round every worker process runs on a timer, one process at a time (the
 * registry's sweep lock): dead workers' tasks are recovered (`releaseTasksOfWorker`), vanished
 * workers are caught early by the liveness probe, expired leases and due delayed tasks are
 * handled even when no worker is claiming.
 */
export class Maintenance {
  readonly #options: MaintenanceOptions;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #closed = false;

  constructor(options: MaintenanceOptions) {
    this.#options = options;
  }

  start(): void {
    this.#schedule();
  }

  /** One round now (joins a round in progress). */
  runOnce(): Promise<void> {
    this.#round ??= this.#run().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  #schedule(): void {
    if (this.#closed) return;
    // Jitter spreads the rounds of many processes over the interval.
    const delay = this.#options.intervalMs * (0.8 + Math.random() * 0.4);
    this.#timer = setTimeout(() => {
      void this.runOnce().finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const { store, registry, onError } = this.#options;
    try {
      // Not behind the sweep lock: expired leases come back even while a dead sweeper holds it.
      await store.recoverExpiredLeases();
      if (!registry) return;
      const sweep = await registry.sweep({
        claimMs: this.#options.claimMs,
        lockMs: this.#options.lockMs,
        onWorkerDead: (worker) => store.releaseTasksOfWorker(worker.id),
      });
      if (!sweep.swept || this.#closed) return;
      const settled = performance.now() - this.#options.reconnectedAt() >= this.#options.settleMs;
      if (this.#options.probe && settled) {
        const vanished = await findVanishedWorkers(store.redis as Redis, await registry.listWorkers());
        for (const worker of vanished) await store.releaseTasksOfWorker(worker.id);
      }
    } catch (error) {
      onError(error);
    }
  }
}
