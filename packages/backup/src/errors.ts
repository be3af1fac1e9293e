import { CovinaError } from '@covina/core';

/** Base class of every error @covina/backup throws (`code` starts with `E_BACKUP` or `E_RESTORE`). */
export class BackupError<Context extends object = Record<string, unknown>> extends CovinaError<Context> {
  static override readonly code: string = 'E_BACKUP';
}

/** An option has a value the backup cannot use (the field is named). */
export class BackupOptionError extends BackupError<{ field: string; value?: string }> {
  static override readonly code = 'E_BACKUP_OPTION';
  declare readonly context: { field: string; value?: string };
}

/** No backup file exists where one was expected. */
export class BackupNotFoundError extends BackupError<{ path: string }> {
  static override readonly code = 'E_BACKUP_NOT_FOUND';
  declare readonly context: { path: string };
}

/** A backup file is damaged or not a COVINA backup: restore refuses it and changes nothing. */
export class BackupCorruptError extends BackupError<{ path: string; problems: string[] }> {
  static override readonly code = 'E_BACKUP_CORRUPT';
  declare readonly context: { path: string; problems: string[] };
}

/** A backup file was written by a newer version of this package (a schema this one does not know). */
export class BackupSchemaError extends BackupError<{
  path: string;
  fileVersion: number;
  supportedVersion: number;
}> {
  static override readonly code = 'E_BACKUP_SCHEMA';
  declare readonly context: { path: string; fileVersion: number; supportedVersion: number };
}

/** Another backup is already being written to this path (by this process or another one). */
export class BackupInProgressError extends BackupError<{ path: string; holder?: string }> {
  static override readonly code = 'E_BACKUP_IN_PROGRESS';
  declare readonly context: { path: string; holder?: string };
}

/** The snapshot could not be taken (the server refused, the connection broke, the data was odd). */
export class SnapshotError extends BackupError<{ method: string; node?: string; reason: string }> {
  static override readonly code = 'E_BACKUP_SNAPSHOT';
  declare readonly context: { method: string; node?: string; reason: string };
}

/**
 * The tracked snapshot could not reach a consistent point: keys kept changing and writes could
 * not be paused (`CLIENT PAUSE` refused). Nothing was written.
 */
export class SnapshotInconsistentError extends BackupError<{ rounds: number; dirtyKeys: number }> {
  static override readonly code = 'E_BACKUP_INCONSISTENT';
  declare readonly context: { rounds: number; dirtyKeys: number };
}

/** Restoring into Redis failed part-way (the error names the key and how far it got). */
export class RestoreError extends BackupError<{
  path: string;
  restoredKeys: number;
  key?: string;
  reason: string;
}> {
  static override readonly code = 'E_RESTORE';
  declare readonly context: { path: string; restoredKeys: number; key?: string; reason: string };
}

/** The outage journal file cannot be used (damaged, or written by a newer version). */
export class JournalError extends BackupError<{ path: string; reason: string }> {
  static override readonly code = 'E_BACKUP_JOURNAL';
  declare readonly context: { path: string; reason: string };
}

/** Errors of @covina/backup, by code. */
export const errors = {
  E_BACKUP: BackupError,
  E_BACKUP_OPTION: BackupOptionError,
  E_BACKUP_NOT_FOUND: BackupNotFoundError,
  E_BACKUP_CORRUPT: BackupCorruptError,
  E_BACKUP_SCHEMA: BackupSchemaError,
  E_BACKUP_IN_PROGRESS: BackupInProgressError,
  E_BACKUP_SNAPSHOT: SnapshotError,
  E_BACKUP_INCONSISTENT: SnapshotInconsistentError,
  E_RESTORE: RestoreError,
  E_BACKUP_JOURNAL: JournalError,
} as const;
