export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /**
   * Consecutive connection failures (errors and timeouts, not Redis error replies) that open
   * the circuit.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * How long an open circuit fails commands fast before it lets one probe through, in ms.
   * @default 5000
   */
  cooldownMs?: number;
}

export interface CircuitSnapshot {
  state: CircuitState;
  /** Connection failures since the last success. */
  consecutiveFailures: number;
  /** When the circuit last opened (epoch ms), while it is not closed. */
  openedAt: number | null;
  /** When an open circuit will next probe (epoch ms). */
  probeAt: number | null;
  /** How many times the circuit has opened since the client was created. */
  timesOpened: number;
  /** Commands failed fast without being sent. */
  rejected: number;
}

export interface CircuitBreakerHooks {
  /** Called when the cool-down ends: send one probe, resolve on success, reject on failure. */
  probe?: () => Promise<unknown>;
  onStateChange?: (to: CircuitState, snapshot: CircuitSnapshot) => void;
  now?: () => number;
}

/**
 * Closed → open after `failureThreshold` consecutive failures; open fails every command fast;
 * after `cooldownMs` it turns half-open and sends one probe (commands still fail fast);
 * the probe's success closes it, its failure opens it for another cool-down. A success seen
 * while open (a command queued before it opened) ends the cool-down early: probe now.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt: number | null = null;
  #probeAt: number | null = null;
  #timesOpened = 0;
  #rejected = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #hooks: CircuitBreakerHooks;
  readonly #now: () => number;
  readonly #listeners = new Set<(to: CircuitState, snapshot: CircuitSnapshot) => void>();

  constructor(options: CircuitBreakerOptions = {}, hooks: CircuitBreakerHooks = {}) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.cooldownMs = Math.max(0, options.cooldownMs ?? 5000);
    this.#hooks = hooks;
    this.#now = hooks.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Lets the breaker probe through `probe` (set once the client it guards exists). */
  setProbe(probe: () => Promise<unknown>): void {
    this.#hooks.probe = probe;
  }

  /** Calls `listener` on every state change; returns a function that unsubscribes it. */
  onChange(listener: (to: CircuitState, snapshot: CircuitSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** May a command be sent now? */
  allows(): boolean {
    return this.#state === 'closed';
  }

  /** Counts a command failed fast (for `snapshot().rejected`). */
  noteRejected(): void {
    this.#rejected++;
  }

  /** Milliseconds until the next probe (0 when closed or probing). */
  retryInMs(): number {
    return this.#probeAt === null ? 0 : Math.max(0, this.#probeAt - this.#now());
  }

  recordSuccess(): void {
    this.#failures = 0;
    if (this.#state === 'open') {
      clearTimeout(this.#timer);
      this.#halfOpen();
    }
  }

  recordFailure(): void {
    this.#failures++;
    if (this.#state === 'closed' && this.#failures >= this.failureThreshold) this.#open();
  }

  snapshot(): CircuitSnapshot {
    return {
      state: this.#state,
      consecutiveFailures: this.#failures,
      openedAt: this.#openedAt,
      probeAt: this.#probeAt,
      timesOpened: this.#timesOpened,
      rejected: this.#rejected,
    };
  }

  /** Stops the probe timer (the client ended). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #open(): void {
    this.#openedAt ??= this.#now();
    this.#probeAt = this.#now() + this.cooldownMs;
    this.#timesOpened++;
    this.#transition('open');
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#halfOpen(), this.cooldownMs);
    this.#timer.unref();
  }

  #halfOpen(): void {
    this.#timer = undefined;
    if (this.#state !== 'open') return;
    this.#probeAt = null;
    this.#transition('half-open');
    const probe = this.#hooks.probe ?? (async () => {});
    probe().then(
      () => {
        this.#failures = 0;
        if (this.#state === 'half-open') this.#transition('closed');
      },
      () => {
        if (this.#state === 'half-open') this.#open();
      },
    );
  }

  #transition(to: CircuitState): void {
    this.#state = to;
    if (to === 'closed') {
      this.dispose();
      this.#openedAt = null;
      this.#probeAt = null;
    }
    const snapshot = this.snapshot();
    this.#hooks.onStateChange?.(to, snapshot);
    for (const listener of this.#listeners) listener(to, snapshot);
  }
}
