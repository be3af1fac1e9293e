import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BackupCorruptError, BackupNotFoundError, BackupSchemaError } from '../errors.js';
import { type DecodedTask, decodeBatch, decodeFile, decodeTask } from '../pipeline/records.js';
import { decodeHash, forEachHashField } from '../rdb/decode-value.js';
import { keyRowChecksum, rowChecksum } from './checksum.js';
import type { KeyRow, ScopeRow } from './rows.js';
import { APPLICATION_ID, DATA_TABLES, ROW_COLUMNS, SCHEMA_VERSION } from './schema.js';
import { manifestDigest } from './writer.js';

export interface ManifestEntry {
  table: string;
  rows: number;
  sum: number;
}

/** What a full verification found. */
export interface VerifyReport {
  path: string;
  ok: boolean;
  /** Human-readable problems (empty when ok). */
  problems: string[];
  /** Rows per table, as read. */
  counts: Record<string, number>;
  digest: string | null;
  durationMs: number;
}

/** Tables restore reads (the others are derived rows, for people and tools). */
const RESTORABLE = new Set(['backup_scopes', 'backup_keys']);

/** How many problems a report lists before it stops looking. */
const MAX_PROBLEMS = 50;

/**
 * A backup file opened read-only. Opening checks that it is a COVINA backup of a schema this
 * version understands; `verify()` checks everything else (structure, rows, manifest, digest).
 */
export class BackupFile {
  readonly #db: Database.Database;
  #metadata: Record<string, string> | undefined;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.#db = db;
  }

  /**
   * @throws BackupNotFoundError when there is no file.
   * @throws BackupCorruptError when it is not a SQLite database or not a COVINA backup.
   * @throws BackupSchemaError when a newer version of this package wrote it.
   */
  static open(path: string): BackupFile {
    if (!existsSync(path)) {
      throw new BackupNotFoundError(`No backup at ${path}`, { context: { path } });
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const appId = db.pragma('application_id', { simple: true }) as number;
      const version = db.pragma('user_version', { simple: true }) as number;
      if (appId !== APPLICATION_ID) {
        throw new BackupCorruptError(`${path} is not a COVINA backup (application_id ${appId})`, {
          context: { path, problems: [`application_id is ${appId}, expected ${APPLICATION_ID}`] },
        });
      }
      if (version > SCHEMA_VERSION) {
        throw new BackupSchemaError(
          `${path} has backup schema ${version}; this version of @covina/backup reads up to ${SCHEMA_VERSION}. Upgrade @covina/backup to restore it.`,
          { context: { path, fileVersion: version, supportedVersion: SCHEMA_VERSION } },
        );
      }
      if (version < 1) {
        throw new BackupCorruptError(`${path} has no backup schema version`, {
          context: { path, problems: ['user_version is 0'] },
        });
      }
      return new BackupFile(path, db);
    } catch (error) {
      db?.close();
      if (error instanceof BackupSchemaError || error instanceof BackupCorruptError) throw error;
      throw new BackupCorruptError(`${path} cannot be read as a backup: ${(error as Error).message}`, {
        context: { path, problems: [(error as Error).message] },
        cause: error,
      });
    }
  }

  /** Size of the file in bytes. */
  size(): number {
    return fileSize(this.path);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  metadata(): Record<string, string> {
    this.#metadata ??= Object.fromEntries(
      (
        this.#db.prepare('SELECT key, value FROM backup_metadata').all() as Array<{
          key: string;
          value: string;
        }>
      ).map((r) => [r.key, r.value]),
    );
    return this.#metadata;
  }

  manifest(): ManifestEntry[] {
    return (
      this.#db
        .prepare('SELECT table_name AS "table", row_count AS rows, checksum_sum AS sum FROM backup_manifest')
        .all() as ManifestEntry[]
    ).sort((a, b) => DATA_TABLES.indexOf(a.table as never) - DATA_TABLES.indexOf(b.table as never));
  }

  scopes(): ScopeRow[] {
    return this.#db
      .prepare(
        'SELECT name, kind, pipeline, prefix, key_count AS keyCount, bytes FROM backup_scopes ORDER BY name',
      )
      .all() as ScopeRow[];
  }

  count(table: (typeof DATA_TABLES)[number], where = ''): number {
    return (this.#db.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).get() as { n: number }).n;
  }

  /** Task counts by status (all pipelines of the backup). */
  tasksByStatus(): Record<string, number> {
    const rows = this.#db
      .prepare('SELECT status, count(*) AS n FROM backup_tasks GROUP BY status')
      .all() as Array<{
      status: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Every key of one scope (or all), in storage order, with payloads. */
  *keys(scope?: string): IterableIterator<KeyRow> {
    const sql =
      'SELECT scope, key, key_type AS keyType, redis_type AS redisType, expire_at AS expireAt, payload FROM backup_keys' +
      // Storage order: sequential reads (a key order would mean a random read per row).
      // (`+scope`: a table scan, not the (scope, key) index.)
      (scope === undefined ? ' ORDER BY id' : ' WHERE +scope = ? ORDER BY id');
    const statement = this.#db.prepare(sql);
    yield* (scope === undefined ? statement.iterate() : statement.iterate(scope)) as IterableIterator<KeyRow>;
  }

  /** One key's row, or null. */
  keyRow(scope: string, key: Buffer): KeyRow | null {
    const row = this.#db
      .prepare(
        'SELECT scope, key, key_type AS keyType, redis_type AS redisType, expire_at AS expireAt, payload FROM backup_keys WHERE scope = ? AND key = ?',
      )
      .get(scope, key) as KeyRow | undefined;
    return row ?? null;
  }

  /**
   * Tasks as `PipelineStore.getTask` returns them (of one pipeline, or all), decoded from the
   * pipelines' task hashes in backup_keys, ordered by pipeline then id.
   */
  tasks(pipeline?: string): DecodedTask[] {
    const out: DecodedTask[] = [];
    const byKeyType = this.#db.prepare(
      `SELECT key_type AS keyType, payload FROM backup_keys
       WHERE scope = ? AND key_type IN ('pipelineTasks', 'pipelinePayloads', 'pipelineResults')`,
    );
    for (const scope of this.scopes()) {
      if (scope.kind !== 'pipeline' || scope.pipeline === null) continue;
      if (pipeline !== undefined && scope.pipeline !== pipeline) continue;
      const hashes = new Map(
        (byKeyType.all(scope.name) as Array<{ keyType: string; payload: Buffer }>).map((r) => [
          r.keyType,
          r.payload,
        ]),
      );
      const tasks = hashes.get('pipelineTasks');
      if (!tasks) continue;
      const decode = (name: string) => {
        const payload = hashes.get(name);
        return payload ? decodeHash(payload) : new Map<string, Buffer>();
      };
      const outOfLine = { payloads: decode('pipelinePayloads'), results: decode('pipelineResults') };
      const found: DecodedTask[] = [];
      forEachHashField(tasks, (id, raw) => {
        found.push(decodeTask(scope.pipeline!, id, raw.toString('utf8'), outOfLine));
      });
      found.sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      out.push(...found);
    }
    return out;
  }

  /** Files as `PipelineStore.getFileById` returns them. */
  files(pipeline?: string): Array<Record<string, unknown>> {
    return this.#fieldRows('backup_files', pipeline).flatMap(({ pipeline: p, fields }) => {
      const file = decodeFile(p, fields);
      return file ? [file] : [];
    });
  }

  /** Batches as `PipelineStore.getBatch` returns them. */
  batches(pipeline?: string): Array<Record<string, unknown>> {
    return this.#fieldRows('backup_batches', pipeline).flatMap(({ id, fields }) => {
      const batch = decodeBatch(id, fields);
      return batch ? [batch] : [];
    });
  }

  #fieldRows(table: 'backup_files' | 'backup_batches', pipeline?: string) {
    const sql = `SELECT pipeline, id, fields FROM ${table}${pipeline === undefined ? '' : ' WHERE pipeline = ?'} ORDER BY pipeline, id`;
    const statement = this.#db.prepare(sql);
    const rows = (pipeline === undefined ? statement.all() : statement.all(pipeline)) as Array<{
      pipeline: string;
      id: string;
      fields: string;
    }>;
    return rows.map((r) => ({
      pipeline: r.pipeline,
      id: r.id,
      fields: new Map(
        Object.entries(JSON.parse(r.fields) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v)]),
      ),
    }));
  }

  /**
   * Checks everything: SQLite structure (`integrity_check`), each row's checksum, the manifest's
   * counts and sums, and the digest over manifest and metadata. Reads the whole file.
   */
  verify(
    onProgress?: (done: number, total: number) => void,
    options: { rows?: 'all' | 'restorable' } = {},
  ): VerifyReport {
    const started = performance.now();
    const problems: string[] = [];
    const add = (problem: string) => {
      if (problems.length < MAX_PROBLEMS) problems.push(problem);
    };
    const counts: Record<string, number> = {};
    let digest: string | null = null;
    try {
      const integrity = this.#db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      for (const row of integrity)
        if (row.integrity_check !== 'ok') add(`integrity_check: ${row.integrity_check}`);
      const metadata = this.metadata();
      const manifest = new Map(this.manifest().map((m) => [m.table, m]));
      const total = DATA_TABLES.reduce((n, t) => n + (manifest.get(t)?.rows ?? 0), 0);
      let done = 0;
      const tick = () => {
        done++;
        if (onProgress && done % 10_000 === 0) onProgress(done, total);
      };
      for (const table of DATA_TABLES) {
        // `restorable`: every row restore reads is checked one by one; the derived tables only
        // by count and checksum sum (SQL-side), which still catches lost or altered rows' sums.
        const { rows, sum } =
          options.rows === 'restorable' && !RESTORABLE.has(table)
            ? this.#sumTable(table)
            : this.#checkTable(table, add, tick);
        counts[table] = rows;
        const expected = manifest.get(table);
        if (!expected) add(`manifest has no entry for ${table}`);
        else if (expected.rows !== rows || expected.sum !== sum) {
          add(
            `${table}: manifest says ${expected.rows} rows (checksum sum ${expected.sum}), found ${rows} (${sum})`,
          );
        }
      }
      onProgress?.(total, total);
      digest = metadata.manifest_digest ?? null;
      const recomputed = manifestDigest([...manifest.values()], metadata);
      if (digest !== recomputed) add('manifest digest does not match the manifest and metadata');
    } catch (error) {
      add(`unreadable: ${(error as Error).message}`);
    }
    return {
      path: this.path,
      ok: problems.length === 0,
      problems,
      counts,
      digest,
      durationMs: Math.round(performance.now() - started),
    };
  }

  #sumTable(table: (typeof DATA_TABLES)[number]): { rows: number; sum: number } {
    return this.#db
      .prepare(`SELECT count(*) AS rows, coalesce(sum(checksum), 0) AS sum FROM ${table}`)
      .get() as {
      rows: number;
      sum: number;
    };
  }

  #checkTable(
    table: (typeof DATA_TABLES)[number],
    add: (problem: string) => void,
    tick: () => void,
  ): { rows: number; sum: number } {
    let rows = 0;
    let sum = 0;
    if (table === 'backup_keys') {
      const statement = this.#db.prepare(
        'SELECT scope, key, expire_at AS expireAt, payload, checksum FROM backup_keys ORDER BY id',
      );
      for (const row of statement.iterate() as IterableIterator<{
        scope: string;
        key: Buffer;
        expireAt: number | null;
        payload: Buffer;
        checksum: number;
      }>) {
        rows++;
        sum += row.checksum;
        tick();
        if (keyRowChecksum(row.scope, row.key, row.expireAt, row.payload) !== row.checksum) {
          add(`backup_keys: checksum mismatch for key ${JSON.stringify(row.key.toString('utf8'))}`);
        }
      }
      return { rows, sum };
    }
    const columns = ROW_COLUMNS[table];
    const statement = this.#db.prepare(`SELECT ${columns.join(', ')}, checksum FROM ${table}`).raw(true);
    for (const row of statement.iterate() as IterableIterator<unknown[]>) {
      rows++;
      tick();
      const checksum = row[columns.length] as number;
      sum += checksum;
      if (rowChecksum(row.slice(0, columns.length)) !== checksum) {
        add(`${table}: checksum mismatch for row ${JSON.stringify(row.slice(0, 2))}`);
      }
    }
    return { rows, sum };
  }
}

/** Size of a backup file in bytes (0 when missing). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
