/** Counters of one key type (or of all types together in `total`). */
export interface CacheTypeStats {
  /** Fresh values served (from memory or Redis). */
  hits: number;
  /** Of `hits`, how many came from the in-memory tier. */
  memoryHits: number;
  /** Expired values served within their grace period (loader or Redis failed, or revalidating). */
  staleHits: number;
  /** Lookups that found no fresh value. */
  misses: number;
  /** `hits / (hits + misses)`, 0 when nothing was looked up. */
  hitRate: number;
  /** Values written to Redis. */
  sets: number;
  /** Keys deleted or invalidated. */
  deletes: number;
  /** Writes skipped because Redis was unavailable. */
  droppedWrites: number;
  /** Loader calls (after stampede protection). */
  loads: number;
  /** Loader calls that threw. */
  loadErrors: number;
  /** Redis commands that failed or timed out. */
  errors: number;
  /** Redis read latency: count, mean and max in ms. */
  latency: { count: number; meanMs: number; maxMs: number };
}

export interface CacheMetricsSnapshot {
  total: CacheTypeStats;
  byType: Record<string, CacheTypeStats>;
}

export type CounterName =
  | 'hits'
  | 'memoryHits'
  | 'staleHits'
  | 'misses'
  | 'sets'
  | 'deletes'
  | 'droppedWrites'
  | 'loads'
  | 'loadErrors'
  | 'errors';

type Counters = Record<CounterName, number> & {
  latencyCount: number;
  latencySumMs: number;
  latencyMaxMs: number;
};

const zero = (): Counters => ({
  hits: 0,
  memoryHits: 0,
  staleHits: 0,
  misses: 0,
  sets: 0,
  deletes: 0,
  droppedWrites: 0,
  loads: 0,
  loadErrors: 0,
  errors: 0,
  latencyCount: 0,
  latencySumMs: 0,
  latencyMaxMs: 0,
});

export type LatencyObserver = (type: string, operation: string, ms: number) => void;

/** Per key type counters; cheap enough for the hit path (one map lookup, one increment). */
export class CacheMetrics {
  readonly #byType = new Map<string, Counters>();
  readonly #observers = new Set<LatencyObserver>();

  count(type: string, counter: CounterName, by = 1): void {
    this.#counters(type)[counter] += by;
  }

  latency(type: string, operation: string, ms: number): void {
    const c = this.#counters(type);
    c.latencyCount++;
    c.latencySumMs += ms;
    if (ms > c.latencyMaxMs) c.latencyMaxMs = ms;
    for (const observe of this.#observers) observe(type, operation, ms);
  }

  /** Called for each Redis read with its latency (prom-client histograms hook in here). */
  onLatency(observer: LatencyObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  snapshot(): CacheMetricsSnapshot {
    const total = zero();
    const byType: Record<string, CacheTypeStats> = {};
    for (const [type, c] of this.#byType) {
      byType[type] = toStats(c);
      for (const k of Object.keys(total) as Array<keyof Counters>) {
        total[k] = k === 'latencyMaxMs' ? Math.max(total[k], c[k]) : total[k] + c[k];
      }
    }
    return { total: toStats(total), byType };
  }

  reset(): void {
    this.#byType.clear();
  }

  #counters(type: string): Counters {
    let c = this.#byType.get(type);
    if (!c) {
      c = zero();
      this.#byType.set(type, c);
    }
    return c;
  }
}

function toStats(c: Counters): CacheTypeStats {
  const looked = c.hits + c.misses;
  return {
    hits: c.hits,
    memoryHits: c.memoryHits,
    staleHits: c.staleHits,
    misses: c.misses,
    hitRate: looked === 0 ? 0 : c.hits / looked,
    sets: c.sets,
    deletes: c.deletes,
    droppedWrites: c.droppedWrites,
    loads: c.loads,
    loadErrors: c.loadErrors,
    errors: c.errors,
    latency: {
      count: c.latencyCount,
      meanMs: c.latencyCount === 0 ? 0 : c.latencySumMs / c.latencyCount,
      maxMs: c.latencyMaxMs,
    },
  };
}
