import { BackupCorruptError, RestoreError } from '../errors.js';
import { BackupFile, type VerifyReport } from '../file/reader.js';
import { isCluster, planNodes, serverTimeMs } from '../snapshot/nodes.js';
import type { Client } from './redis-batches.js';
import { restoreScope, type ScopeRestoreContext } from './restore-scope.js';

export interface RestoreOptions {
  /** The backup to restore. @default the current backup */
  path?: string;
  /**
   * Only report what would change (per scope: keys created, overwritten, unchanged, deleted);
   * Redis is not written.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Verify the file first (structure, every key's checksum, the manifest and its digest) and
   * refuse a damaged one; after restoring, check that every scope holds exactly the restored
   * keys. (`verifyBackup()` also checks each derived row one by one.)
   * @default true
   */
  verify?: boolean;
  /** Restore only these scopes (`pipeline:docs`, `prefix:covina:state:`, or a pipeline name). @default all */
  scopes?: string[];
  /** Progress of long phases (`verify`, `plan`, `restore`, `delete`). */
  onProgress?(progress: RestoreProgress): void;
}

export interface RestoreProgress {
  phase: 'verify' | 'plan' | 'restore' | 'delete' | 'check';
  done: number;
  total: number;
}

/** What restoring does (did) to one scope. */
export interface ScopeRestorePlan {
  scope: string;
  kind: 'pipeline' | 'prefix';
  pipeline: string | null;
  keysInBackup: number;
  keysInRedis: number;
  /** Keys absent from Redis now. */
  create: number;
  /** Keys present with another value (or an encoding that cannot be compared byte for byte). */
  overwrite: number;
  /** Keys present with the same value. */
  unchanged: number;
  /** Keys in Redis (under the scope) that the backup does not have: removed, so the state is exact. */
  delete: number;
  /** Keys of the backup whose expiry has passed: not restored. */
  expired: number;
}

export interface RestoreReport {
  path: string;
  backupId: string | null;
  takenAt: string | null;
  dryRun: boolean;
  scopes: ScopeRestorePlan[];
  /** Pipeline rows of the backup: tasks by status, files. */
  taskCount: number;
  fileCount: number;
  tasksByStatus: Record<string, number>;
  /** Keys written (0 on a dry run). */
  restoredKeys: number;
  /** Keys deleted (0 on a dry run). */
  deletedKeys: number;
  verify: VerifyReport | null;
  durationMs: number;
}

/**
 * Restores a backup file into Redis, or (dry run) reports what that would change. A restore
 * makes each scope exactly what the backup holds: its keys are written with RESTORE … REPLACE
 * (absolute expiry kept), and keys of the scope the backup does not have are deleted.
 *
 * Restoring is not atomic: stop the pipeline's workers first. A failure part-way throws
 * RestoreError saying how far it got; running the restore again finishes the job.
 */
export async function restoreBackup(
  redis: Client,
  path: string,
  options: RestoreOptions = {},
): Promise<RestoreReport> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const verify = options.verify ?? true;
  const progress = options.onProgress;
  const file = BackupFile.open(path);
  try {
    let verifyReport: VerifyReport | null = null;
    if (verify) {
      verifyReport = file.verify((done, total) => progress?.({ phase: 'verify', done, total }), {
        rows: 'restorable',
      });
      if (!verifyReport.ok) {
        throw new BackupCorruptError(
          `Backup ${path} failed verification: ${verifyReport.problems.slice(0, 3).join('; ')}`,
          {
            context: { path, problems: verifyReport.problems },
          },
        );
      }
    }
    const metadata = file.metadata();
    const wanted = options.scopes;
    const scopes = file
      .scopes()
      .filter(
        (s) => !wanted || wanted.includes(s.name) || (s.pipeline !== null && wanted.includes(s.pipeline)),
      );
    if (wanted && scopes.length === 0) {
      throw new RestoreError(`Backup ${path} has none of the scopes ${wanted.join(', ')}`, {
        context: { path, restoredKeys: 0, reason: 'no such scope' },
      });
    }
    const now = await serverTimeMs(isCluster(redis) ? (await planNodes(redis, scopes))[0]!.node : redis);
    const totals = { restoredKeys: 0, deletedKeys: 0 };
    const context: ScopeRestoreContext = {
      redis,
      file,
      path,
      dryRun,
      verify,
      now,
      totalKeys: scopes.reduce((n, s) => n + s.keyCount, 0),
      totals,
      progress,
    };
    const plans: ScopeRestorePlan[] = [];
    for (const scope of scopes) plans.push(await restoreScope(context, scope));
    return {
      path,
      backupId: metadata.backup_id ?? null,
      takenAt: metadata.created_at ?? null,
      dryRun,
      scopes: plans,
      taskCount: file.count('backup_tasks'),
      fileCount: file.count('backup_files'),
      tasksByStatus: file.tasksByStatus(),
      restoredKeys: totals.restoredKeys,
      deletedKeys: totals.deletedKeys,
      verify: verifyReport,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    file.close();
  }
}
