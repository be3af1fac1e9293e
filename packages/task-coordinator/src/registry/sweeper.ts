import { REGISTRY_DEFAULTS, type SweeperOptions } from './options.js';
import { type SweepEnvironment, type SweepResult, sweepOnce } from './sweep.js';

/** Sweeps one namespace for dead workers on a timer (see `WorkerRegistry.startSweeper`). */
export interface DeadWorkerSweeper extends AsyncDisposable {
  /** Sweeps now (waits for a sweep already running here instead of starting a second one). */
  sweepNow(): Promise<SweepResult>;
  /** Stops the timer and waits for a sweep in progress. */
  close(): Promise<void>;
}

export class IntervalSweeper implements DeadWorkerSweeper {
  readonly #env: SweepEnvironment;
  readonly #options: SweeperOptions;
  readonly #intervalMs: number;
  readonly #onClosed: (sweeper: IntervalSweeper) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepResult> | undefined;
  #closed = false;

  constructor(env: SweepEnvironment, options: SweeperOptions, onClosed: (sweeper: IntervalSweeper) => void) {
    this.#env = env;
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? REGISTRY_DEFAULTS.intervalMs;
    this.#onClosed = onClosed;
    this.#schedule();
  }

  sweepNow(): Promise<SweepResult> {
    this.#running ??= sweepOnce(this.#env, this.#options).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#onClosed(this);
    await this.#running?.catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #schedule(): void {
    // Jitter spreads the sweepers of many processes over the interval.
    const delay = this.#intervalMs * (0.9 + Math.random() * 0.2);
    this.#timer = setTimeout(() => {
      this.sweepNow()
        .catch(this.#env.onError)
        .finally(() => {
          if (!this.#closed) this.#schedule();
        });
    }, delay);
    this.#timer.unref();
  }
}
