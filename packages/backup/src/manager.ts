import { escapeGlob } from '@covina/cache-keys';
import { BackupNotFoundError } from './errors.js';
import { type BackupInfo, listBackupFiles } from './file/catalog.js';
import { backupPaths } from './file/paths.js';
import { BackupFile, type VerifyReport } from './file/reader.js';
import { type BackupManagerOptions, type ResolvedBackupOptions, resolveBackupOptions } from './options.js';
import { type RestoreOptions, type RestoreReport, restoreBackup } from './restore/restore.js';
import { type BackupResult, type RunBackupHooks, runBackup } from './run-backup.js';
import { Scheduler } from './scheduler.js';
import { planNodes } from './snapshot/nodes.js';

/** How backups are doing, for dashboards and health checks. */
export interface BackupStats {
  /** Did the last attempt succeed? null before any attempt (and no backup on disk). */
  ok: boolean | null;
  /** Is a backup being taken right now? */
  running: boolean;
  path: string;
  /** When the newest good backup was taken (its snapshot instant). */
  lastBackupAt: Date | null;
  /** Milliseconds since then. */
  lastBackupAge: number | null;
  /** How long the newest good backup took. */
  durationMs: number | null;
  /** Its file size. */
  bytes: number | null;
  /** Its checksum (SHA-256 over manifest and metadata). */
  checksum: string | null;
  fileCount: number;
  taskCount: number;
  keyCount: number;
  /** The last failure, if the last attempt failed. */
  lastError: { message: string; code?: string; at: Date } | null;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  nextBackupAt: Date | null;
}

/**
 * Backs up pipeline state (and any key prefixes) from Redis into SQLite files, on a schedule
 * and on demand, and restores it. See the README for the file format and the consistency
 * guarantee.
 *
 * ```ts
 * const backups = new BackupManager({ redis, store, intervalSeconds: 300 });
 * await backups.start();            // scheduled backups (timer unref'd)
 * process.once('SIGTERM', () => backups.stop());   // takes a last backup
 * ```
 */
export class BackupManager {
  readonly #o: ResolvedBackupOptions;
  readonly #scheduler: Scheduler;
  #running: Promise<BackupResult> | undefined;
  #last: BackupResult | undefined;
  #lastError: BackupStats['lastError'] = null;
  #failures = 0;
  #attempted = false;

  constructor(options: BackupManagerOptions) {
    this.#o = resolveBackupOptions(options);
    this.#scheduler = new Scheduler(this.#o.intervalMs, async () => {
      await this.forceBackupNow().catch(() => {}); // recorded in stats and logged
    });
  }

  /** The current backup file. */
  get path(): string {
    return backupPaths(this.#o.path).current;
  }

  /** The scopes backed up (`pipeline:<name>`, `prefix:<prefix>`). */
  get scopes(): string[] {
    return this.#o.scopes.map((s) => s.name);
  }

  /**
   * Starts scheduled backups. With `restoreOnStart`, first restores the current backup if Redis
   * holds no key of any backed-up scope (a fresh or wiped server) and a backup exists.
   */
  async start(): Promise<void> {
    if (this.#scheduler.started) return;
    if (this.#o.restoreOnStart) await this.#restoreIfEmpty();
    this.#scheduler.start(this.#o.backupOnStart);
    this.#o.logger.info({ path: this.path, intervalMs: this.#o.intervalMs }, 'scheduled backups started');
  }

  /** Stops the schedule, waits for a backup in progress, then (by default) takes a last one. */
  async stop(): Promise<void> {
    const wasStarted = this.#scheduler.started;
    await this.#scheduler.stop();
    await this.#running?.catch(() => {});
    if (wasStarted && this.#o.backupOnStop) await this.forceBackupNow();
  }

  /** Takes a backup now; joins the one already running, if any. */
  forceBackupNow(hooks: RunBackupHooks = {}): Promise<BackupResult> {
    if (this.#running) return this.#running;
    this.#attempted = true;
    const run = runBackup(this.#o, hooks).then(
      (result) => {
        this.#last = result;
        this.#lastError = null;
        this.#failures = 0;
        this.#o.logger.info(
          {
            file: result.file,
            durationMs: result.durationMs,
            bytes: result.bytes,
            keys: result.keyCount,
            tasks: result.taskCount,
            methods: result.nodes.map((n) => n.method),
            phases: result.phases,
          },
          'backup written',
        );
        return result;
      },
      (error: unknown) => {
        const e = error as Error & { code?: string };
        this.#lastError = { message: e.message, ...(e.code ? { code: e.code } : {}), at: new Date() };
        this.#failures++;
        this.#o.logger.error(
          { err: error, path: this.path },
          'backup failed (the previous backup is intact)',
        );
        throw error;
      },
    );
    this.#running = run.finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  getBackupStats(): BackupStats {
    const last = this.#last ?? this.#fromDisk();
    const takenAt = last?.takenAt ?? null;
    return {
      ok: this.#attempted ? this.#lastError === null : last ? true : null,
      running: this.#running !== undefined,
      path: this.path,
      lastBackupAt: takenAt,
      lastBackupAge: takenAt ? Date.now() - takenAt.getTime() : null,
      durationMs: last?.durationMs ?? null,
      bytes: last?.bytes ?? null,
      checksum: last?.checksum ?? null,
      fileCount: last?.fileCount ?? 0,
      taskCount: last?.taskCount ?? 0,
      keyCount: last?.keyCount ?? 0,
      lastError: this.#lastError,
      consecutiveFailures: this.#failures,
      nextBackupAt: this.#scheduler.nextRunAt,
    };
  }

  /** Backups on disk, newest first. */
  listBackups(): BackupInfo[] {
    return listBackupFiles(backupPaths(this.#o.path));
  }

  /** Checks a backup file end to end (default: the current one). */
  verifyBackup(path: string = this.path): VerifyReport {
    const file = BackupFile.open(path);
    try {
      return file.verify();
    } finally {
      file.close();
    }
  }

  /**
   * Restores a backup (default: the current one) into Redis, or with `dryRun` reports what would
   * change. Refuses a damaged file (`BackupCorruptError`) or one from a newer schema
   * (`BackupSchemaError`) before writing anything.
   */
  restoreFromSqliteBackup(options: RestoreOptions = {}): Promise<RestoreReport> {
    return restoreBackup(this.#o.redis, options.path ?? this.path, options);
  }

  /** Does Redis hold no key of any backed-up scope? */
  async isRedisEmpty(): Promise<boolean> {
    for (const task of await planNodes(this.#o.redis, this.#o.scopes)) {
      for (const scope of task.scopes) {
        let cursor = '0';
        do {
          const [next, keys] = await task.node.scan(
            cursor,
            'MATCH',
            `${escapeGlob(scope.prefix)}*`,
            'COUNT',
            1000,
          );
          if (keys.length > 0) return false;
          cursor = next;
        } while (cursor !== '0');
      }
    }
    return true;
  }

  async #restoreIfEmpty(): Promise<void> {
    if (!(await this.isRedisEmpty())) return;
    try {
      const report = await this.restoreFromSqliteBackup();
      this.#o.logger.warn(
        { path: report.path, takenAt: report.takenAt, keys: report.restoredKeys, tasks: report.taskCount },
        'Redis held no pipeline state: restored the latest backup',
      );
    } catch (error) {
      if (error instanceof BackupNotFoundError) return;
      throw error;
    }
  }

  #fromDisk(): BackupResult | undefined {
    try {
      const file = BackupFile.open(this.path);
      try {
        const m = file.metadata();
        return {
          backupId: m.backup_id ?? '',
          file: this.path,
          path: this.path,
          takenAt: new Date(m.created_at ?? 0),
          durationMs: Number(m.duration_ms ?? 0),
          bytes: file.size(),
          checksum: m.manifest_digest ?? '',
          keyCount: Number(m.key_count ?? 0),
          fileCount: Number(m.file_count ?? 0),
          taskCount: Number(m.task_count ?? 0),
          batchCount: Number(m.batch_count ?? 0),
          tasksByStatus: JSON.parse(m.tasks_by_status ?? '{}') as Record<string, number>,
          nodes: JSON.parse(m.nodes ?? '[]'),
          rotated: [],
          phases: { snapshotMs: 0, rowsMs: 0, sealMs: 0 },
        };
      } finally {
        file.close();
      }
    } catch {
      return undefined;
    }
  }
}
