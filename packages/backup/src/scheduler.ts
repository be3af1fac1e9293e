/**
 * Runs a job every `intervalMs`, never two at once: the next run is planned when the previous
 * one ends (a run longer than the interval is followed by the next one right away, not by a
 * pile-up). The timer is unref'd, so it never keeps a process alive on its own.
 */
export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #nextAt: number | null = null;
  #stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly job: () => Promise<void>,
  ) {}

  /** When the next run is due (null when stopped). */
  get nextRunAt(): Date | null {
    return this.#nextAt === null ? null : new Date(this.#nextAt);
  }

  get started(): boolean {
    return !this.#stopped;
  }

  start(runNow = false): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#plan(runNow ? 0 : this.intervalMs);
  }

  /** Stops planning runs and waits for a run in progress to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#nextAt = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #plan(delayMs: number): void {
    if (this.#stopped) return;
    this.#nextAt = Date.now() + delayMs;
    this.#timer = setTimeout(() => this.#fire(), delayMs);
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const startedAt = Date.now();
    this.#running = this.job()
      .catch(() => {}) // the job reports its own failures
      .finally(() => {
        this.#running = undefined;
        this.#plan(Math.max(0, this.intervalMs - (Date.now() - startedAt)));
      });
  }
}
