import { performance } from 'node:perf_hooks';
import type { Cluster, Redis } from 'ioredis';

export interface HealthSnapshot {
  /** Round trip of the last successful PING, in ms. */
  lastLatencyMs: number | null;
  /** When the last PING finished (epoch ms). */
  lastCheckAt: number | null;
  /** Whether the last PING succeeded. */
  ok: boolean | null;
}

/** Measures one PING round trip in ms (rejects like the PING does). */
export async function measurePing(client: Redis | Cluster): Promise<number> {
  const started = performance.now();
  await client.ping();
  return Math.round((performance.now() - started) * 100) / 100;
}

/**
 * PINGs a client every `intervalMs` on an unref'd timer (it never keeps the process alive),
 * recording the latency. Failures feed the circuit breaker through the guarded client and are
 * reported to `onFailure`. Stops when the client ends.
 */
export class HealthCheck {
  #snapshot: HealthSnapshot = { lastLatencyMs: null, lastCheckAt: null, ok: null };
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly client: Redis | Cluster,
    readonly intervalMs: number,
    private readonly onFailure: (error: unknown) => void,
    private readonly onSuccess: () => void = () => {},
    /** False while the circuit breaker is open: its own probe checks the server then. */
    private readonly due: () => boolean = () => true,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.due()) void this.check();
    }, this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one check now (skipped while one is in flight or the client is closed). */
  async check(): Promise<HealthSnapshot> {
    if (this.#running || this.client.status === 'end') return this.snapshot();
    this.#running = true;
    try {
      const latency = await measurePing(this.client);
      this.#snapshot = { lastLatencyMs: latency, lastCheckAt: Date.now(), ok: true };
      this.onSuccess();
    } catch (error) {
      this.#snapshot = { ...this.#snapshot, lastCheckAt: Date.now(), ok: false };
      this.onFailure(error);
    } finally {
      this.#running = false;
    }
    return this.snapshot();
  }

  snapshot(): HealthSnapshot {
    return { ...this.#snapshot };
  }
}
