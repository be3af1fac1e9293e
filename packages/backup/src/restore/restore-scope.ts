import { RestoreError } from '../errors.js';
import type { BackupFile } from '../file/reader.js';
import type { KeyRow, ScopeRow } from '../file/rows.js';
import { type Client, runGrouped, scanScope } from './redis-batches.js';
import type { RestoreProgress, ScopeRestorePlan } from './restore.js';

/** Commands per pipeline, and payload bytes per pipeline, when writing. */
const BATCH_KEYS = 500;
const BATCH_BYTES = 16 << 20;

/** What restoring one scope needs, and the running totals it adds to. */
export interface ScopeRestoreContext {
  redis: Client;
  file: BackupFile;
  path: string;
  dryRun: boolean;
  verify: boolean;
  /** Redis server time (Unix ms): keys of the backup that expired before it are not restored. */
  now: number;
  totalKeys: number;
  totals: { restoredKeys: number; deletedKeys: number };
  progress: ((progress: RestoreProgress) => void) | undefined;
}

/**
 * Makes one scope exactly what the backup holds (or, dry run, counts what that would change):
 * RESTORE … REPLACE every key, in pipelines of at most BATCH_KEYS keys or BATCH_BYTES bytes,
 * grouped by cluster slot; then delete the scope's keys the backup does not have; then (verify)
 * check that Redis holds exactly the restored keys.
 */
export async function restoreScope(ctx: ScopeRestoreContext, scope: ScopeRow): Promise<ScopeRestorePlan> {
  const { redis, file, path, dryRun, verify, now, totalKeys, totals, progress } = ctx;
  const present = await scanScope(redis, scope);
  const plan: ScopeRestorePlan = {
    scope: scope.name,
    kind: scope.kind,
    pipeline: scope.pipeline,
    keysInBackup: scope.keyCount,
    keysInRedis: present.size,
    create: 0,
    overwrite: 0,
    unchanged: 0,
    delete: 0,
    expired: 0,
  };
  const keep = new Set<string>();
  let batch: KeyRow[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchBytes = 0;
    if (dryRun) {
      const existing = rows.filter((r) => present.has(r.key.toString('latin1')));
      const dumps = await runGrouped(
        redis,
        existing.map((r) => r.key),
        (b, i) => b.dumpBuffer(existing[i]!.key),
      );
      existing.forEach((row, i) => {
        if (Buffer.isBuffer(dumps[i]) && (dumps[i] as Buffer).equals(row.payload)) plan.unchanged++;
        else plan.overwrite++;
      });
      plan.create += rows.length - existing.length;
      return;
    }
    try {
      await runGrouped(
        redis,
        rows.map((r) => r.key),
        (b, i) => {
          const row = rows[i]!;
          if (row.expireAt === null) b.restore(row.key, 0, row.payload, 'REPLACE');
          else b.restore(row.key, row.expireAt, row.payload, 'REPLACE', 'ABSTTL');
        },
      );
    } catch (error) {
      const at = (error as { keyIndex?: number }).keyIndex;
      const key = at === undefined ? undefined : rows[at]?.key.toString('utf8');
      throw new RestoreError(
        `Restoring ${path} failed after ${totals.restoredKeys} keys: ${(error as Error).message}`,
        {
          context: {
            path,
            restoredKeys: totals.restoredKeys,
            ...(key === undefined ? {} : { key }),
            reason: (error as Error).message,
          },
          cause: error,
        },
      );
    }
    for (const row of rows) {
      if (present.has(row.key.toString('latin1'))) plan.overwrite++;
      else plan.create++;
    }
    totals.restoredKeys += rows.length;
    progress?.({ phase: 'restore', done: totals.restoredKeys, total: totalKeys });
  };
  for (const row of file.keys(scope.name)) {
    if (row.expireAt !== null && row.expireAt <= now) {
      plan.expired++;
      continue;
    }
    keep.add(row.key.toString('latin1'));
    batch.push(row);
    batchBytes += row.payload.length;
    if (batch.length >= BATCH_KEYS || batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();

  const extra = [...present].filter((k) => !keep.has(k)).map((k) => Buffer.from(k, 'latin1'));
  plan.delete = extra.length;
  if (!dryRun) {
    for (let i = 0; i < extra.length; i += BATCH_KEYS) {
      const slice = extra.slice(i, i + BATCH_KEYS);
      await runGrouped(redis, slice, (b, j) => b.unlink(slice[j]!));
      totals.deletedKeys += slice.length;
      progress?.({ phase: 'delete', done: totals.deletedKeys, total: extra.length });
    }
    if (verify) {
      const after = await scanScope(redis, scope);
      const missing = [...keep].filter((k) => !after.has(k));
      const unexpected = [...after].filter((k) => !keep.has(k));
      // A key with a short TTL may expire during the restore: only report the others.
      const reallyMissing = missing.filter((k) => {
        const row = file.keyRow(scope.name, Buffer.from(k, 'latin1'));
        return row !== null && (row.expireAt === null || row.expireAt > Date.now() + 1000);
      });
      if (reallyMissing.length > 0 || unexpected.length > 0) {
        throw new RestoreError(
          `After restoring ${scope.name}, ${reallyMissing.length} keys are missing and ${unexpected.length} unexpected (were writers running?)`,
          { context: { path, restoredKeys: totals.restoredKeys, reason: 'post-restore check failed' } },
        );
      }
      progress?.({ phase: 'check', done: after.size, total: keep.size });
    }
  }
  return plan;
}
