import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join, resolve } from 'node:path';

/** Where one backup series lives: `<dir>/<stem><ext>` is the current backup. */
export interface BackupPaths {
  /** The current backup (a hard link to the newest stamped file). */
  readonly current: string;
  readonly dir: string;
  readonly stem: string;
  readonly ext: string;
}

export function backupPaths(path: string): BackupPaths {
  const current = resolve(path);
  const ext = extname(current) || '.db';
  const stem = basename(current, extname(current));
  return { current, dir: dirname(current), stem, ext };
}

/** `2025-11-21T22:07:00.123Z` → `20251121T220700123Z` (sorts by time, safe in file names). */
export function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/;

export function dateOfStamp(stamp: string): Date | null {
  const m = STAMP.exec(stamp);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

/** `<dir>/<stem>.<stamp><ext>`: one backup, named by when it was taken. */
export function stampedPath(paths: BackupPaths, date: Date): string {
  return join(paths.dir, `${paths.stem}.${stampOf(date)}${paths.ext}`);
}

/** The stamp of a stamped backup file name of this series, or null for any other file. */
export function stampOfFile(paths: BackupPaths, fileName: string): string | null {
  const head = `${paths.stem}.`;
  if (!fileName.startsWith(head) || !fileName.endsWith(paths.ext)) return null;
  const stamp = fileName.slice(head.length, fileName.length - paths.ext.length);
  return STAMP.test(stamp) ? stamp : null;
}

/** A fresh temporary file name in the backup directory (same file system: rename is atomic). */
export function tempPath(paths: BackupPaths): string {
  return join(paths.dir, `.${paths.stem}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Matches temporary files of this series (and SQLite's -wal/-shm/-journal beside them). */
export function tempFilePattern(paths: BackupPaths): RegExp {
  const stem = paths.stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${stem}\\.(\\d+)\\.[0-9a-f]+\\.(tmp|link)(-wal|-shm|-journal)?$`);
}
