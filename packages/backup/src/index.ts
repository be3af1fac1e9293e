export {
  BackupCorruptError,
  BackupError,
  BackupInProgressError,
  BackupNotFoundError,
  BackupOptionError,
  BackupSchemaError,
  errors,
  JournalError,
  RestoreError,
  SnapshotError,
  SnapshotInconsistentError,
} from './errors.js';
export type { BackupInfo } from './file/catalog.js';
export { BackupFile, type ManifestEntry, type VerifyReport } from './file/reader.js';
export { SCHEMA_VERSION } from './file/schema.js';
export { isConnectionFailure } from './journal/connection-failure.js';
export type { EntryState, JournalEntry } from './journal/journal-file.js';
export {
  type JournaledPipelineStore,
  type JournalStatus,
  OutageJournal,
  type OutageJournalOptions,
  withOutageJournal,
} from './journal/journaled-store.js';
export { JOURNAL_MARK, type JournalOperation } from './journal/operations.js';
export { BackupManager, type BackupStats } from './manager.js';
export {
  type BackupManagerOptions,
  type BackupStoreLike,
  DEFAULT_INTERVAL_SECONDS,
  DEFAULT_PATH,
} from './options.js';
export type { RestoreOptions, RestoreProgress, RestoreReport, ScopeRestorePlan } from './restore/restore.js';
export type { BackupResult, RunBackupHooks } from './run-backup.js';
export type { SnapshotMethodOption } from './snapshot/take-snapshot.js';
export type { NodeSnapshot, SnapshotMethod, SnapshotProgress } from './snapshot/types.js';
