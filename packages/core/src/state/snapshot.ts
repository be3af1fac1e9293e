import type { StateCheckpoint, StateCheckpointEntry, StateRestoreResult } from './checkpoint.js';
import type { StateScope } from './keyspace.js';
import type { ScanBudget } from './scan.js';
import { chunked, execAll, isCluster, mapInChunks, sum } from './topology.js';

/** A value read together with its absolute expiry; `undefined` when the key was gone. */
type Timed = { value: Buffer; expiresAt: number | null } | undefined;

/** A checkpoint entry with the Redis key it goes to. */
export type RestoreEntry = StateCheckpointEntry & { redisKey: string };

/** Reads every entry of the namespace (see `StateStore.checkpoint`). */
export async function takeCheckpoint(scope: StateScope, budget: ScanBudget): Promise<StateCheckpoint> {
  const createdAt = await serverTimeMs(scope);
  const entries = new Map<string, StateCheckpointEntry>();
  for await (const page of scope.keyspace.pages(scope.redis, budget, scope.scanCount)) {
    const reads = await readTimed(scope, page.redisKeys);
    reads.forEach((read, i) => {
      const key = page.keys[i]!;
      if (read) entries.set(key, { key, value: read.value, expiresAt: read.expiresAt });
    });
    budget.check();
  }
  const sorted = [...entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { version: 1, namespace: scope.namespace, createdAt, entries: sorted };
}

/** Writes checked entries back (see `StateStore.restore`). */
export async function restoreCheckpoint(
  scope: StateScope,
  entries: readonly RestoreEntry[],
  replace: boolean,
  budget: ScanBudget,
): Promise<StateRestoreResult & { bytes: number }> {
  const { redis, batchSize } = scope;
  const now = await serverTimeMs(scope);
  const live = entries.filter((e) => e.expiresAt === null || e.expiresAt > now);
  const extra = new Set<string>();
  if (replace) {
    const keep = new Set(live.map((e) => e.redisKey));
    for await (const page of scope.keyspace.pages(redis, budget, scope.scanCount)) {
      for (const k of page.redisKeys) if (!keep.has(k)) extra.add(k);
    }
  }
  let deleted: number;
  if (isCluster(redis)) {
    await mapInChunks(live, batchSize, (e) =>
      e.expiresAt === null
        ? redis.set(e.redisKey, e.value)
        : redis.set(e.redisKey, e.value, 'PXAT', e.expiresAt),
    );
    deleted = sum(await mapInChunks([...extra], batchSize, (k) => redis.unlink(k)));
  } else {
    // One transaction: readers see the namespace before or after, never half restored.
    const multi = redis.multi();
    for (const e of live) {
      if (e.expiresAt === null) multi.set(e.redisKey, e.value);
      else multi.set(e.redisKey, e.value, 'PXAT', e.expiresAt);
    }
    for (const chunk of chunked([...extra], batchSize)) multi.unlink(...chunk);
    deleted = sum((await execAll(multi)).slice(live.length) as number[]);
  }
  return {
    written: live.length,
    expired: entries.length - live.length,
    deleted,
    bytes: sum(live.map((e) => e.value.byteLength)),
  };
}

/** Values with their absolute expiry; value, TTL and clock of one key are read in one MULTI. */
async function readTimed(scope: StateScope, redisKeys: readonly string[]): Promise<Timed[]> {
  const { redis, batchSize } = scope;
  if (isCluster(redis)) {
    return mapInChunks(redisKeys, batchSize, async (k) => {
      const [time, value, ttl] = await execAll(redis.multi().time().getBuffer(k).pttl(k));
      return timed(time, value, ttl);
    });
  }
  const out: Timed[] = [];
  for (const chunk of chunked(redisKeys, batchSize)) {
    const multi = redis.multi().time();
    for (const k of chunk) multi.getBuffer(k).pttl(k);
    const [time, ...replies] = await execAll(multi);
    for (let i = 0; i < chunk.length; i++) out.push(timed(time, replies[2 * i], replies[2 * i + 1]));
  }
  return out;
}

/** The server's clock: expiries are kept in its time, not this machine's. */
async function serverTimeMs(scope: StateScope): Promise<number> {
  return timeMs(await scope.redis.time());
}

function timeMs(time: unknown): number {
  const [seconds, micros] = time as [string | number, string | number];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

function timed(time: unknown, value: unknown, ttl: unknown): Timed {
  if (!Buffer.isBuffer(value) || ttl === -2) return undefined;
  return { value, expiresAt: typeof ttl === 'number' && ttl >= 0 ? timeMs(time) + ttl : null };
}
