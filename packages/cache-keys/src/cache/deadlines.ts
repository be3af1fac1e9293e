export interface Deadline {
  /** The sweep at which this deadline expires. */
  readonly at: number;
  readonly expire: () => void;
}

/**
 * Timeouts for many short operations without a timer each: one interval (running only while
 * something waits) expires whatever is past its deadline. Cheaper than setTimeout +
 * clearTimeout per Redis command on the hit path.
 *
 * Time is counted in sweeps, not read from a clock: `add()` costs no clock read, and since an
 * interval never fires early, `ceil(ms / tick) + 1` sweeps always span at least `ms` (at most
 * about two ticks more). When the event loop is blocked (GC, CPU work), sweeps are late too, so
 * a busy process does not mistake its own lateness for a slow Redis. Expiry runs through
 * setImmediate, one I/O poll later, so a reply that arrived meanwhile still wins.
 */
export class Deadlines {
  readonly #waiting = new Set<Deadline>();
  #timer: NodeJS.Timeout | undefined;
  #sweeps = 0;

  constructor(private readonly tickMs: number) {}

  add(ms: number, expire: () => void): Deadline {
    const deadline = { at: this.#sweeps + Math.ceil(ms / this.tickMs) + 1, expire };
    this.#waiting.add(deadline);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#sweep(), this.tickMs);
      this.#timer.unref();
    }
    return deadline;
  }

  delete(deadline: Deadline): void {
    this.#waiting.delete(deadline);
  }

  #sweep(): void {
    const sweep = ++this.#sweeps;
    if (this.#waiting.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    for (const deadline of this.#waiting) {
      if (deadline.at <= sweep) {
        this.#waiting.delete(deadline);
        setImmediate(deadline.expire);
      }
    }
  }
}
