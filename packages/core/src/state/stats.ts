/** Counters of one StateStore operation (method). */
export interface StateOperationStats {
  /** Calls that reached Redis. */
  calls: number;
  /** Calls that failed in Redis (unavailable, command error, scan timeout, aborted). */
  errors: number;
  /** Mean wall time of a call, in milliseconds (0 before the first call). */
  avgLatencyMs: number;
}

/**
 * What one StateStore instance did since it was created (or since `resetStats()`). Local
 * to this process: nothing is stored in Redis, so reading stats costs nothing. Calls rejected
 * by validation never reach Redis and are not counted.
 */
export interface StateStoreStats {
  /** Calls of every method that reached Redis. */
  operations: number;
  /** Of those, calls that failed. */
  errors: number;
  /** `errors / operations` (0 before the first call). */
  errorRate: number;
  /** Keys read by `get`, `batchGet` and `getAndDelete` that held a value. */
  hits: number;
  /** Keys read by those methods that held none. */
  misses: number;
  /** `hits / (hits + misses)` (0 before the first read). */
  hitRate: number;
  /** Mean wall time of a call, in milliseconds. */
  avgLatencyMs: number;
  /** Value bytes received from Redis (reads and checkpoints). */
  bytesRead: number;
  /** Value bytes sent to Redis (writes and restores). */
  bytesWritten: number;
  /** The same counters per method, e.g. `byOperation.batchGet`. */
  byOperation: Record<string, StateOperationStats>;
  /** When counting started (epoch ms). */
  since: number;
}

interface Counter {
  calls: number;
  errors: number;
  latencyMs: number;
}

/** Mutable counters behind `StateStore.stats()`. */
export class StatsRecorder {
  #byOperation = new Map<string, Counter>();
  #hits = 0;
  #misses = 0;
  #bytesRead = 0;
  #bytesWritten = 0;
  #since = Date.now();

  record(operation: string, latencyMs: number, failed: boolean): void {
    let counter = this.#byOperation.get(operation);
    if (!counter) {
      counter = { calls: 0, errors: 0, latencyMs: 0 };
      this.#byOperation.set(operation, counter);
    }
    counter.calls++;
    counter.latencyMs += latencyMs;
    if (failed) counter.errors++;
  }

  reads(hits: number, misses: number, bytes: number): void {
    this.#hits += hits;
    this.#misses += misses;
    this.#bytesRead += bytes;
  }

  bytesRead(bytes: number): void {
    this.#bytesRead += bytes;
  }

  bytesWritten(bytes: number): void {
    this.#bytesWritten += bytes;
  }

  reset(): void {
    this.#byOperation.clear();
    this.#hits = this.#misses = this.#bytesRead = this.#bytesWritten = 0;
    this.#since = Date.now();
  }

  snapshot(): StateStoreStats {
    let operations = 0;
    let errors = 0;
    let latencyMs = 0;
    const byOperation: Record<string, StateOperationStats> = {};
    for (const [name, c] of this.#byOperation) {
      operations += c.calls;
      errors += c.errors;
      latencyMs += c.latencyMs;
      byOperation[name] = { calls: c.calls, errors: c.errors, avgLatencyMs: ratio(c.latencyMs, c.calls) };
    }
    const reads = this.#hits + this.#misses;
    return {
      operations,
      errors,
      errorRate: ratio(errors, operations),
      hits: this.#hits,
      misses: this.#misses,
      hitRate: ratio(this.#hits, reads),
      avgLatencyMs: ratio(latencyMs, operations),
      bytesRead: this.#bytesRead,
      bytesWritten: this.#bytesWritten,
      byOperation,
      since: this.#since,
    };
  }
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
