import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rotateBackups, sweepTempFiles } from './file/catalog.js';
import { BackupLock } from './file/lock.js';
import { backupPaths } from './file/paths.js';
import { BackupFileWriter } from './file/writer.js';
import type { ResolvedBackupOptions } from './options.js';
import { PipelineRowSink } from './pipeline/row-sink.js';
import { takeSnapshot } from './snapshot/take-snapshot.js';
import type { NodeSnapshot, SnapshotProgress } from './snapshot/types.js';

/** A backup that was written, made durable and published. */
export interface BackupResult {
  backupId: string;
  /** The stamped file of this backup. */
  file: string;
  /** The current-backup name (now pointing at `file`). */
  path: string;
  /** When the snapshot is consistent (Redis server time). */
  takenAt: Date;
  durationMs: number;
  /** Size of the backup file. */
  bytes: number;
  /** SHA-256 over the manifest and metadata. */
  checksum: string;
  keyCount: number;
  fileCount: number;
  taskCount: number;
  batchCount: number;
  tasksByStatus: Record<string, number>;
  /** Per server: method, consistency point, catch-up or transfer details. */
  nodes: NodeSnapshot[];
  /** Older backups deleted by rotation. */
  rotated: string[];
  /** Where the time went: copying from Redis, deriving rows, sealing the file (ms). */
  phases: { snapshotMs: number; rowsMs: number; sealMs: number };
}

export interface RunBackupHooks {
  signal?: AbortSignal;
  onProgress?(progress: SnapshotProgress): void;
}

/** One backup, start to finish (see BackupFileWriter for the file's safety). */
export async function runBackup(o: ResolvedBackupOptions, hooks: RunBackupHooks = {}): Promise<BackupResult> {
  const started = performance.now();
  const paths = backupPaths(o.path);
  mkdirSync(paths.dir, { recursive: true });
  const lock = BackupLock.acquire(paths.current);
  try {
    const swept = sweepTempFiles(paths);
    if (swept.length > 0) o.logger.warn({ files: swept }, 'removed temporary files of an interrupted backup');
    const writer = new BackupFileWriter(paths);
    const sink = new PipelineRowSink(writer, o.registry, new Set(o.pipelines));
    try {
      const snapshot = await takeSnapshot(
        {
          redis: o.redis,
          scopes: o.scopes,
          sink,
          keyTypeOf: (key) => o.registry.typeOf(key.toString('utf8')) ?? null,
          ...(hooks.signal ? { signal: hooks.signal } : {}),
          ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
        },
        {
          method: o.method,
          replication: { idleTimeoutMs: o.idleTimeoutMs },
          tracked: {
            batchSize: 500,
            maxRounds: 25,
            pauseWrites: o.pauseWrites,
            maxPauseMs: o.maxPauseMs,
            pauseBelowKeys: 2000,
          },
        },
      );
      const snapshotMs = Math.round(performance.now() - started);
      const counts = sink.finish();
      const rowsMs = Math.round(performance.now() - started) - snapshotMs;
      const takenAt = new Date(Math.min(...snapshot.nodes.map((n) => n.consistentAt), Date.now()));
      const backupId = randomUUID();
      const methods = [...new Set(snapshot.nodes.map((n) => n.method))];
      const keyCount = writer.keyCount();
      const metadata: Record<string, string> = {
        format: 'covina-backup',
        backup_id: backupId,
        created_at: takenAt.toISOString(),
        written_at: new Date().toISOString(),
        method: methods.join(','),
        nodes: JSON.stringify(snapshot.nodes),
        redis_version: [...new Set(snapshot.nodes.map((n) => n.redisVersion))].join(','),
        key_prefix: o.registry.prefix,
        pipelines: JSON.stringify(o.pipelines),
        prefixes: JSON.stringify(o.scopes.filter((s) => s.kind === 'prefix').map((s) => s.prefix)),
        key_count: String(keyCount),
        file_count: String(counts.files),
        task_count: String(counts.tasks),
        batch_count: String(counts.batches),
        tasks_by_status: JSON.stringify(counts.byStatus),
      };
      metadata.duration_ms = String(Math.round(performance.now() - started));
      const sealStarted = performance.now();
      const written = writer.finish(o.scopes, metadata, takenAt);
      const sealMs = Math.round(performance.now() - sealStarted);
      let rotated: string[] = [];
      try {
        rotated = rotateBackups(paths, o.keep, written.file);
      } catch (error) {
        o.logger.warn({ err: error }, 'backup rotation failed (the new backup is safe)');
      }
      return {
        backupId,
        file: written.file,
        path: written.current,
        takenAt,
        durationMs: Math.round(performance.now() - started),
        bytes: written.bytes,
        checksum: written.digest,
        keyCount,
        fileCount: counts.files,
        taskCount: counts.tasks,
        batchCount: counts.batches,
        tasksByStatus: counts.byStatus,
        nodes: snapshot.nodes,
        rotated,
        phases: { snapshotMs, rowsMs, sealMs },
      };
    } catch (error) {
      writer.abort();
      throw error;
    }
  } finally {
    lock.release();
  }
}
