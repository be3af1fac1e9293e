import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isCode } from './fs-sync.js';
import { type BackupPaths, dateOfStamp, stampOfFile, tempFilePattern } from './paths.js';
import { BackupFile } from './reader.js';

/** One backup file of a series, as `listBackups()` reports it. */
export interface BackupInfo {
  path: string;
  /** When the snapshot was taken. */
  takenAt: Date;
  bytes: number;
  /** Is this the backup the current name points to? */
  current: boolean;
  /** False when the file cannot be opened as a backup (see `error`). */
  readable: boolean;
  error?: string;
  backupId?: string;
  /** SHA-256 over manifest and metadata. */
  checksum?: string;
  keyCount?: number;
  fileCount?: number;
  taskCount?: number;
  method?: string;
  pipelines?: string[];
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev && sa.size === sb.size;
  } catch {
    return false;
  }
}

function describe(path: string, takenAt: Date, current: boolean): BackupInfo {
  const info: BackupInfo = { path, takenAt, bytes: 0, current, readable: false };
  try {
    info.bytes = statSync(path).size;
    const file = BackupFile.open(path);
    try {
      const m = file.metadata();
      info.readable = true;
      if (m.backup_id) info.backupId = m.backup_id;
      if (m.manifest_digest) info.checksum = m.manifest_digest;
      if (m.key_count) info.keyCount = Number(m.key_count);
      if (m.file_count) info.fileCount = Number(m.file_count);
      if (m.task_count) info.taskCount = Number(m.task_count);
      if (m.method) info.method = m.method;
      if (m.pipelines) info.pipelines = JSON.parse(m.pipelines) as string[];
    } finally {
      file.close();
    }
  } catch (error) {
    info.error = (error as Error).message;
  }
  return info;
}

/** Every backup of the series, newest first. */
export function listBackupFiles(paths: BackupPaths): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(paths.dir);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw error;
  }
  const stamped = names
    .map((name) => ({ name, stamp: stampOfFile(paths, name) }))
    .filter((f): f is { name: string; stamp: string } => f.stamp !== null)
    .sort((a, b) => (a.stamp < b.stamp ? 1 : -1));
  const out = stamped.map((f) => {
    const path = join(paths.dir, f.name);
    return describe(path, dateOfStamp(f.stamp)!, sameFile(path, paths.current));
  });
  // A current file that is no stamped file's link (copied there by hand, or an older layout).
  if (!out.some((b) => b.current)) {
    try {
      const stat = statSync(paths.current);
      const info = describe(paths.current, stat.mtime, true);
      out.unshift(info);
    } catch {}
  }
  return out;
}

/**
 * Deletes the oldest stamped backups beyond `keep`. Never deletes the file the current name
 * points to, nor `lastGood` (the newest backup known to be sound).
 */
export function rotateBackups(paths: BackupPaths, keep: number, lastGood: string): string[] {
  const all = listBackupFiles(paths).filter((b) => b.path !== paths.current);
  const deleted: string[] = [];
  for (const backup of all.slice(Math.max(1, keep))) {
    if (backup.current || backup.path === lastGood) continue;
    rmSync(backup.path, { force: true });
    deleted.push(backup.path);
  }
  return deleted;
}

/**
 * Removes temporary files left by backups that died mid-way. Call it only while holding the
 * series' BackupLock: then no other writer exists, so every temporary file is stale.
 */
export function sweepTempFiles(paths: BackupPaths): string[] {
  const pattern = tempFilePattern(paths);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(paths.dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    rmSync(join(paths.dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
