import { performance } from 'node:perf_hooks';

export interface SampleOptions {
  /**
   * Runs before measuring, not recorded (JIT, caches, lazy imports).
   * @default 2
   */
  warmup?: number;
  /** Called after each run (timed or not), outside the timing: cleanup such as stopping a server. */
  after?: () => unknown | Promise<unknown>;
}

/** Times `runs` sequential calls of `fn`: one duration in ms per run. */
export async function sample(
  runs: number,
  fn: () => unknown | Promise<unknown>,
  options: SampleOptions = {},
): Promise<number[]> {
  const { warmup = 2, after } = options;
  const durations: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const start = performance.now();
    await fn();
    const elapsed = performance.now() - start;
    await after?.();
    if (i >= warmup) durations.push(elapsed);
  }
  return durations;
}

/**
 * Times several contenders run by run in turn (A, B, A, B, …), so a machine getting busier or
 * quieter during the benchmark affects all of them alike. Returns durations in ms per name.
 */
export async function sampleInterleaved(
  runs: number,
  contenders: Record<
    string,
    { run: () => unknown | Promise<unknown>; after?: () => unknown | Promise<unknown> }
  >,
  options: { warmup?: number } = {},
): Promise<Record<string, number[]>> {
  const { warmup = 2 } = options;
  const results: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, { run, after }] of Object.entries(contenders)) {
      const start = performance.now();
      await run();
      const elapsed = performance.now() - start;
      await after?.();
      if (i >= warmup) results[name]?.push(elapsed);
    }
  }
  return results;
}

/**
 * Runs `fn` as often as it can for `durationMs` (at most `concurrency` calls in flight) and
 * returns how many calls completed and how long it really took.
 */
export async function throughput(
  durationMs: number,
  fn: () => Promise<unknown>,
  options: { concurrency?: number } = {},
): Promise<{ ops: number; elapsedMs: number }> {
  const { concurrency = 1 } = options;
  const start = performance.now();
  const deadline = start + durationMs;
  let ops = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await fn();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops, elapsedMs: performance.now() - start };
}
