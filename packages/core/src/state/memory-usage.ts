import type { Redis } from 'ioredis';
import type { StateScope } from './keyspace.js';
import type { StateMemoryUsage } from './reports.js';
import type { ScanBudget } from './scan.js';
import { chunked, execAll } from './topology.js';

/** MEMORY USAGE of every key, or of `sampleSize` keys spread evenly and extrapolated. */
export async function measureMemory(
  scope: StateScope,
  sampleSize: number,
  budget: ScanBudget,
): Promise<StateMemoryUsage> {
  const byNode = new Map<Redis, Set<string>>();
  for await (const page of scope.keyspace.pages(scope.redis, budget, scope.scanCount)) {
    const set = byNode.get(page.node) ?? new Set<string>();
    for (const k of page.redisKeys) set.add(k);
    byNode.set(page.node, set);
  }
  const total = [...byNode.values()].reduce((n, set) => n + set.size, 0);
  const stride = total <= sampleSize ? 1 : total / sampleSize;
  let index = 0;
  let next = 0;
  let measured = 0;
  let bytes = 0;
  for (const [node, set] of byNode) {
    const picked: string[] = [];
    for (const key of set) {
      if (index++ !== Math.floor(next)) continue;
      picked.push(key);
      next += stride;
    }
    for (const chunk of chunked(picked, scope.batchSize)) {
      // MEMORY USAGE is a single-key command, so a pipeline on one Cluster master is fine.
      for (const reply of await execAll(node.pipeline(chunk.map((k) => ['memory', 'USAGE', k])))) {
        if (typeof reply !== 'number') continue; // deleted meanwhile
        measured++;
        bytes += reply;
      }
      budget.check();
    }
  }
  const avgBytesPerKey = measured === 0 ? 0 : bytes / measured;
  const exact = measured === total;
  return {
    keys: total,
    sampledKeys: measured,
    bytes: exact ? bytes : Math.round(avgBytesPerKey * total),
    avgBytesPerKey,
    exact,
  };
}
