/** Summary statistics over samples (e.g. durations in ms). Inputs are never mutated. */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no samples');
  return [...values].sort((a, b) => a - b);
}

/**
 * The `p`-th percentile (0..100) with linear interpolation between closest ranks:
 * `percentile(xs, 50)` is the median, `percentile(xs, 95)` the p95.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
  const xs = sorted(values);
  const rank = (p / 100) * (xs.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = xs[low] as number;
  const b = xs[high] as number;
  return a + (b - a) * (rank - low);
}

/** The median (50th percentile). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('no samples');
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}

/** Operations per second for `ops` operations done in `elapsedMs`. */
export function opsPerSec(ops: number, elapsedMs: number): number {
  if (elapsedMs <= 0) throw new RangeError(`elapsedMs must be > 0, got ${elapsedMs}`);
  return (ops * 1000) / elapsedMs;
}

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Everything a results table usually shows, in one pass over the samples. */
export function summarize(values: readonly number[]): Summary {
  const xs = sorted(values);
  return {
    n: xs.length,
    min: xs[0] as number,
    median: percentile(xs, 50),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
    max: xs[xs.length - 1] as number,
    mean: mean(xs),
  };
}
