import { copyFileSync, linkSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BackupCorruptError } from '../errors.js';
import { BatchedInsert, placeholders } from './batched-insert.js';
import { digestLines, keyRowChecksum, rowChecksum } from './checksum.js';
import { fsyncDir, fsyncFile, isCode } from './fs-sync.js';
import { type BackupPaths, stampedPath, tempPath } from './paths.js';
import {
  type BatchRow,
  batchValues,
  type FileRow,
  fileValues,
  type KeyRow,
  type ScopeDefinition,
  type ScopeRow,
  scopeValues,
  type TaskRow,
  taskValues,
} from './rows.js';
import { APPLICATION_ID, DATA_TABLES, ROW_COLUMNS, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

/** A finished, durable backup file. */
export interface WrittenBackup {
  /** The stamped file (`<stem>.<stamp>.db`); `current` links to it. */
  file: string;
  current: string;
  bytes: number;
  digest: string;
  counts: Record<string, number>;
}

/** Manifest lines and metadata lines, in the order the digest covers them. */
export function manifestDigest(
  manifest: ReadonlyArray<{ table: string; rows: number; sum: number }>,
  metadata: Readonly<Record<string, string>>,
): string {
  const lines = manifest.map((m) => `${m.table}:${m.rows}:${m.sum}`);
  for (const key of Object.keys(metadata).sort()) {
    if (key !== 'manifest_digest') lines.push(`${key}=${metadata[key]}`);
  }
  return digestLines(lines);
}

/**
 * Writes one backup into a fresh temporary SQLite file beside the target (WAL,
 * `synchronous=FULL`, one transaction), then makes it durable and visible atomically:
 * checkpoint, `integrity_check`, fsync, link under its stamped name, fsync the directory, and
 * swap the current name onto it with a rename. A crash at any point leaves the previous backups
 * untouched; the temporary file is swept by the next run.
 */
export class BackupFileWriter {
  readonly tempFile: string;
  readonly #db: Database.Database;
  readonly #keys: BatchedInsert;
  readonly #files: BatchedInsert;
  readonly #batches: BatchedInsert;
  readonly #tasks: BatchedInsert;
  readonly #deleteKey: Database.Statement;
  #open = true;

  constructor(private readonly paths: BackupPaths) {
    mkdirSync(paths.dir, { recursive: true });
    this.tempFile = tempPath(paths);
    this.#db = new Database(this.tempFile);
    try {
      // Large pages: the pipeline's big hashes are few, long blobs (fewer overflow pages).
      this.#db.pragma('page_size = 16384');
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('cache_size = -262144'); // 256 MiB: the whole backup is one transaction
      this.#db.pragma(`application_id = ${APPLICATION_ID}`);
      this.#db.exec(SCHEMA_SQL);
      this.#db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.#db.exec('BEGIN IMMEDIATE');
      // A key captured again (tracked method) replaces its earlier copy.
      this.#keys = new BatchedInsert(
        this.#db,
        7,
        (rows) => `INSERT INTO backup_keys (scope, key, key_type, redis_type, expire_at, payload, checksum)
          VALUES ${placeholders(7, rows)}
          ON CONFLICT (scope, key) DO UPDATE SET key_type = excluded.key_type,
            redis_type = excluded.redis_type, expire_at = excluded.expire_at,
            payload = excluded.payload, checksum = excluded.checksum`,
      );
      this.#files = this.#rows('backup_files');
      this.#batches = this.#rows('backup_batches');
      this.#tasks = this.#rows('backup_tasks');
      this.#deleteKey = this.#db.prepare('DELETE FROM backup_keys WHERE scope = ? AND key = ?');
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  #rows(table: keyof typeof ROW_COLUMNS): BatchedInsert {
    const columns = [...ROW_COLUMNS[table], 'checksum'];
    // Tasks are written once each, at the end (no unique index to replace against).
    const verb = table === 'backup_tasks' ? 'INSERT' : 'INSERT OR REPLACE';
    return new BatchedInsert(
      this.#db,
      columns.length,
      (rows) => `${verb} INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(columns.length, rows)}`,
    );
  }

  /** Every row added so far reaches the table (before deletes, counts, commit). */
  #flush(): void {
    this.#keys.flush();
    this.#files.flush();
    this.#batches.flush();
    this.#tasks.flush();
  }

  /** Adds or replaces a key (a key captured again later replaces its earlier copy). */
  putKey(row: KeyRow): void {
    const checksum = keyRowChecksum(row.scope, row.key, row.expireAt, row.payload);
    this.#keys.add([row.scope, row.key, row.keyType, row.redisType, row.expireAt, row.payload, checksum]);
  }

  /** Removes a key captured earlier that turned out to be gone at the snapshot point. */
  deleteKey(key: Buffer, scope: string): void {
    this.#flush();
    this.#deleteKey.run(scope, key);
  }

  putBatch(row: BatchRow): void {
    const values = batchValues(row);
    values.push(rowChecksum(values));
    this.#batches.add(values);
  }

  putFile(row: FileRow): void {
    const values = fileValues(row);
    values.push(rowChecksum(values));
    this.#files.add(values);
  }

  /** Adds a task row given as its values in ROW_COLUMNS order (no object per task). */
  putTaskValues(values: unknown[]): void {
    values.push(rowChecksum(values));
    this.#tasks.add(values);
  }

  putTask(row: TaskRow): void {
    this.putTaskValues(taskValues(row));
  }

  /** Keys captured so far. */
  keyCount(): number {
    this.#flush();
    return (this.#db.prepare('SELECT count(*) AS n FROM backup_keys').get() as { n: number }).n;
  }

  /** Forgets every key captured so far for these scopes. */
  clearScopes(scopes: readonly string[]): void {
    this.#flush();
    const statement = this.#db.prepare('DELETE FROM backup_keys WHERE scope = ?');
    for (const scope of scopes) statement.run(scope);
  }

  /** Removes one decoded row (its key turned out to be gone at the snapshot point). */
  deleteRow(table: 'backup_files' | 'backup_batches', pipeline: string, id: string): void {
    this.#flush();
    this.#db.prepare(`DELETE FROM ${table} WHERE pipeline = ? AND id = ?`).run(pipeline, id);
  }

  /** Removes every decoded row of a pipeline (before it is copied again another way). */
  clearPipelineRows(pipeline: string): void {
    this.#flush();
    for (const table of ['backup_files', 'backup_batches', 'backup_tasks']) {
      this.#db.prepare(`DELETE FROM ${table} WHERE pipeline = ?`).run(pipeline);
    }
  }

  countRows(table: 'backup_files' | 'backup_batches' | 'backup_tasks', pipeline: string): number {
    this.#flush();
    return (
      this.#db.prepare(`SELECT count(*) AS n FROM ${table} WHERE pipeline = ?`).get(pipeline) as { n: number }
    ).n;
  }

  /**
   * Seals the file: scope and manifest rows, metadata with the digest, commit, checkpoint,
   * integrity check, fsync, then publishes it (stamped name + current name). Returns where it is.
   */
  finish(scopes: readonly ScopeDefinition[], metadata: Record<string, string>, takenAt: Date): WrittenBackup {
    const db = this.#db;
    try {
      const scopeRows: ScopeRow[] = scopes.map((s) => {
        const stats = db
          .prepare(
            'SELECT count(*) AS n, coalesce(sum(length(payload)), 0) AS bytes FROM backup_keys WHERE scope = ?',
          )
          .get(s.name) as { n: number; bytes: number };
        return { ...s, keyCount: stats.n, bytes: stats.bytes };
      });
      const scopeColumns = [...ROW_COLUMNS.backup_scopes, 'checksum'];
      const putScope = db.prepare(
        `INSERT INTO backup_scopes (${scopeColumns.join(', ')}) VALUES ${placeholders(scopeColumns.length, 1)}`,
      );
      for (const row of scopeRows) {
        const values = scopeValues(row);
        putScope.run(...values, rowChecksum(values));
      }
      this.#flush();
      const manifest = DATA_TABLES.map((table) => {
        const r = db
          .prepare(`SELECT count(*) AS rows, coalesce(sum(checksum), 0) AS sum FROM ${table}`)
          .get() as {
          rows: number;
          sum: number;
        };
        return { table, rows: r.rows, sum: r.sum };
      });
      const putManifest = db.prepare('INSERT INTO backup_manifest VALUES (?, ?, ?)');
      for (const m of manifest) putManifest.run(m.table, m.rows, m.sum);
      const meta: Record<string, string> = { ...metadata, schema_version: String(SCHEMA_VERSION) };
      meta.manifest_digest = manifestDigest(manifest, meta);
      const putMeta = db.prepare('INSERT OR REPLACE INTO backup_metadata VALUES (?, ?)');
      for (const [key, value] of Object.entries(meta)) putMeta.run(key, value);
      db.exec('COMMIT');

      db.pragma('wal_checkpoint(TRUNCATE)');
      // A self-contained file: no -wal/-shm companions to lose when it is copied or moved.
      db.pragma('journal_mode = DELETE');
      const check = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      if (check.length !== 1 || check[0]?.integrity_check !== 'ok') {
        throw new BackupCorruptError(`The new backup failed PRAGMA integrity_check`, {
          context: { path: this.tempFile, problems: check.map((c) => c.integrity_check).slice(0, 20) },
        });
      }
      db.close();
      this.#open = false;
      fsyncFile(this.tempFile);

      const file = this.#publishStamped(takenAt);
      this.#installCurrent(file);
      const counts = Object.fromEntries(manifest.map((m) => [m.table, m.rows]));
      return {
        file,
        current: this.paths.current,
        bytes: statSync(file).size,
        digest: meta.manifest_digest!,
        counts,
      };
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Drops the temporary file (after a failure, or when the snapshot is abandoned). */
  abort(): void {
    if (this.#open) {
      this.#open = false;
      try {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      } catch {}
      try {
        this.#db.close();
      } catch {}
    }
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(this.tempFile + suffix, { force: true });
  }

  /** Links the sealed temp file under its stamped name (never over an existing one). */
  #publishStamped(takenAt: Date): string {
    for (let bump = 0; ; bump++) {
      const file = stampedPath(this.paths, new Date(takenAt.getTime() + bump));
      try {
        linkSync(this.tempFile, file);
      } catch (error) {
        if (isCode(error, 'EEXIST') && bump < 1000) continue;
        if (!isCode(error, 'EPERM', 'ENOTSUP', 'EXDEV', 'EOPNOTSUPP')) throw error;
        // No hard links on this file system: a rename is just as atomic.
        renameSync(this.tempFile, file);
        fsyncDir(this.paths.dir);
        return file;
      }
      unlinkSync(this.tempFile);
      fsyncDir(this.paths.dir);
      return file;
    }
  }

  /** Points the current name at `file`: link (or copy) beside it, then rename over the old one. */
  #installCurrent(file: string): void {
    const staging = `${tempPath(this.paths).slice(0, -'.tmp'.length)}.link`;
    try {
      linkSync(file, staging);
    } catch (error) {
      if (!isCode(error, 'EPERM', 'ENOTSUP', 'EXDEV', 'EOPNOTSUPP')) throw error;
      copyFileSync(file, staging);
      fsyncFile(staging);
    }
    renameSync(staging, this.paths.current);
    fsyncDir(this.paths.dir);
  }
}
