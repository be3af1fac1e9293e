/**
 * The backup file format. Bump SCHEMA_VERSION for any change a reader must know about; a
 * reader refuses files with a newer version (BackupSchemaError) instead of misreading them.
 *
 * - `backup_keys` is what restore uses: every key of the backed-up scopes as a DUMP payload
 *   with its absolute expiry. Restoring these rebuilds queues, dependencies, leases, counters
 *   and the event stream exactly as they were at the snapshot's point in time.
 * - `backup_files`, `backup_tasks`, `backup_batches` are the same pipeline state as rows, for
 *   people and tools (`sqlite3 backup.db "select status, count(*) from backup_tasks group by 1"`),
 *   stats and dry runs, derived from the same snapshot. A task row holds what people filter on;
 *   the whole record (payload, result, dependencies, lease) is in the pipeline's task hash in
 *   backup_keys, and `BackupFile.tasks()` decodes it as `PipelineStore.getTask` returns it.
 * - `backup_manifest` holds per-table row counts and checksum sums; every row carries its own
 *   CRC-32; `backup_metadata.manifest_digest` is a SHA-256 over the manifest and metadata.
 */
export const SCHEMA_VERSION = 1;

/** `PRAGMA application_id` of COVINA backup files ('COVB'). */
export const APPLICATION_ID = 0x434f5642;

/** Tables covered by the manifest, in a fixed order. */
export const DATA_TABLES = [
  'backup_scopes',
  'backup_keys',
  'backup_batches',
  'backup_files',
  'backup_tasks',
] as const;
export type DataTable = (typeof DATA_TABLES)[number];

// Rows are appended in arrival order (hash order, i.e. random: a table clustered on its key
// would split pages on every insert). Only the tables written more than once per key (the
// tracked method copies a key again) carry a unique index, which upserts need. Task rows are
// written once each, from one Redis hash whose field names are unique: no index, so a million
// rows go in and pass integrity_check in seconds. Index them in a copy if you query them a lot.
export const SCHEMA_SQL = `
CREATE TABLE backup_metadata (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE backup_scopes (
  name      TEXT PRIMARY KEY,          -- 'pipeline:<name>' or 'prefix:<key prefix>'
  kind      TEXT NOT NULL,             -- 'pipeline' | 'prefix'
  pipeline  TEXT,                      -- pipeline name (kind = 'pipeline')
  prefix    TEXT NOT NULL,             -- every key of the scope starts with this text
  key_count INTEGER NOT NULL,
  bytes     INTEGER NOT NULL,          -- sum of payload sizes
  checksum  INTEGER NOT NULL
);

CREATE TABLE backup_keys (
  id         INTEGER PRIMARY KEY,
  scope      TEXT NOT NULL,
  key        BLOB NOT NULL,
  key_type   TEXT,                     -- key template name (pipelineTasks, …) when known
  redis_type TEXT NOT NULL,            -- string | hash | list | set | zset | stream | module
  expire_at  INTEGER,                  -- absolute expiry, Unix ms; NULL = none
  checksum   INTEGER NOT NULL,         -- before the payload: reading it never walks a big blob
  payload    BLOB NOT NULL,            -- DUMP format: RESTORE takes it as is
  UNIQUE (scope, key)
);

CREATE TABLE backup_batches (
  pipeline   TEXT NOT NULL,
  id         TEXT NOT NULL,
  name       TEXT,
  created_at INTEGER,
  checksum   INTEGER NOT NULL,
  fields     TEXT NOT NULL,            -- JSON object: the batch's hash fields as stored
  UNIQUE (pipeline, id)
);

CREATE TABLE backup_files (
  pipeline   TEXT NOT NULL,
  id         TEXT NOT NULL,
  batch_id   TEXT,
  path       TEXT,
  hash       TEXT,
  name       TEXT,
  size       INTEGER,
  mime_type  TEXT,
  status     TEXT NOT NULL,
  progress   REAL,
  created_at INTEGER,
  updated_at INTEGER,
  checksum   INTEGER NOT NULL,
  fields     TEXT NOT NULL,            -- JSON object: the file's hash fields as stored
  UNIQUE (pipeline, id)
);

CREATE TABLE backup_tasks (
  pipeline     TEXT NOT NULL,
  id           TEXT NOT NULL,
  status       TEXT NOT NULL,
  task_type    TEXT NOT NULL,
  worker_type  TEXT NOT NULL,
  priority     INTEGER NOT NULL,
  file_id      TEXT,
  batch_id     TEXT,
  attempts     INTEGER NOT NULL,
  max_attempts INTEGER,
  created_at   INTEGER,                -- Unix ms
  finished_at  INTEGER,
  error        TEXT,                   -- latest error, or why it was cancelled
  checksum     INTEGER NOT NULL
);

CREATE TABLE backup_manifest (
  table_name   TEXT PRIMARY KEY,
  row_count    INTEGER NOT NULL,
  checksum_sum INTEGER NOT NULL        -- sum of the table's row checksums
) WITHOUT ROWID;
`;

/** Columns of each row table in checksum order (the row checksum is over these values). */
export const ROW_COLUMNS = {
  backup_scopes: ['name', 'kind', 'pipeline', 'prefix', 'key_count', 'bytes'],
  backup_batches: ['pipeline', 'id', 'name', 'created_at', 'fields'],
  backup_files: [
    'pipeline',
    'id',
    'batch_id',
    'path',
    'hash',
    'name',
    'size',
    'mime_type',
    'status',
    'progress',
    'created_at',
    'updated_at',
    'fields',
  ],
  backup_tasks: [
    'pipeline',
    'id',
    'status',
    'task_type',
    'worker_type',
    'priority',
    'file_id',
    'batch_id',
    'attempts',
    'max_attempts',
    'created_at',
    'finished_at',
    'error',
  ],
} as const;
