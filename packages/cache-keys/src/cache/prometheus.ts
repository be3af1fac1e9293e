import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CacheMetrics, CounterName } from './metrics.js';

export interface CacheMetricsRegistration {
  /** Metric name prefix. @default 'covina_cache_' */
  prefix?: string;
  /** Labels added to every metric (e.g. `{ app: 'ingest' }`). @default {} */
  labels?: Record<string, string>;
  /** Latency histogram buckets in seconds. @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] */
  buckets?: number[];
}

const COUNTERS: Array<[CounterName, string, string]> = [
  ['hits', 'hits_total', 'Fresh values served'],
  ['memoryHits', 'memory_hits_total', 'Fresh values served from the in-memory tier'],
  ['staleHits', 'stale_hits_total', 'Stale values served within the grace period'],
  ['misses', 'misses_total', 'Lookups without a fresh value'],
  ['sets', 'sets_total', 'Values written to Redis'],
  ['deletes', 'deletes_total', 'Keys deleted or invalidated'],
  ['droppedWrites', 'dropped_writes_total', 'Writes skipped while Redis was unavailable'],
  ['loads', 'loads_total', 'Loader calls'],
  ['loadErrors', 'load_errors_total', 'Loader calls that threw'],
  ['errors', 'errors_total', 'Redis commands that failed or timed out'],
];

interface MetricsSource {
  readonly metrics: CacheMetrics;
}

/**
 * Exposes a cache's metrics on a prom-client registry you pass (never the global one):
 * counters per key type, a hit-rate gauge, and a Redis read latency histogram.
 * Returns a function that unregisters them.
 */
export function registerCacheMetrics(
  cache: MetricsSource,
  registry: Registry,
  options: CacheMetricsRegistration = {},
): () => void {
  const prefix = options.prefix ?? 'covina_cache_';
  const constant = options.labels ?? {};
  const labelNames = ['type', ...Object.keys(constant)];
  const names: string[] = [];

  for (const [counter, suffix, help] of COUNTERS) {
    names.push(prefix + suffix);
    new Counter({
      name: prefix + suffix,
      help,
      labelNames,
      registers: [registry],
      collect() {
        // Counters are kept by the cache; copy the current totals at scrape time.
        this.reset();
        for (const [type, stats] of Object.entries(cache.metrics.snapshot().byType)) {
          if (stats[counter] > 0) this.inc({ ...constant, type }, stats[counter]);
        }
      },
    });
  }

  names.push(`${prefix}hit_ratio`);
  new Gauge({
    name: `${prefix}hit_ratio`,
    help: 'hits / (hits + misses) since start',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, stats] of Object.entries(cache.metrics.snapshot().byType)) {
        if (stats.hits + stats.misses > 0) this.set({ ...constant, type }, stats.hitRate);
      }
    },
  });

  names.push(`${prefix}redis_latency_seconds`);
  const latency = new Histogram({
    name: `${prefix}redis_latency_seconds`,
    help: 'Latency of Redis reads made by the cache',
    labelNames: [...labelNames, 'operation'],
    buckets: options.buckets ?? [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const stop = cache.metrics.onLatency((type, operation, ms) =>
    latency.observe({ ...constant, type, operation }, ms / 1000),
  );

  return () => {
    stop();
    for (const name of names) registry.removeSingleMetric(name);
  };
}
