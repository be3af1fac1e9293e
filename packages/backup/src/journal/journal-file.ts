import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError } from '../errors.js';
import type { JournalOperation } from './operations.js';

const JOURNAL_VERSION = 1;
const APPLICATION_ID = 0x434f564a; // 'COVJ'

export type EntryState = 'pending' | 'sending' | 'applied' | 'rejected';

export interface JournalEntry {
  seq: number;
  operation: JournalOperation;
  state: EntryState;
  /** Replay attempts started (> 0 with state `sending` after a crash: the outcome is unknown). */
  attempts: number;
  error: string | null;
  createdAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS journal_entries (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  operation  TEXT NOT NULL,            -- JSON: the write, with provisional ids
  state      TEXT NOT NULL,            -- pending | sending | applied | rejected
  attempts   INTEGER NOT NULL DEFAULT 0,
  error      TEXT,
  created_at INTEGER NOT NULL,
  done_at    INTEGER
);
CREATE INDEX IF NOT EXISTS journal_entries_open ON journal_entries (state, seq);
CREATE TABLE IF NOT EXISTS journal_ids (
  provisional TEXT PRIMARY KEY,        -- the id handed out while Redis was away
  real        TEXT,                    -- the store's id, once replayed
  state       TEXT NOT NULL,           -- pending | applied | rejected
  seq         INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * The journal's SQLite file: WAL with `synchronous=FULL`, one transaction per append, so an
 * acknowledged write is on disk before the call returns.
 */
export class JournalFile {
  readonly #db: Database.Database;
  readonly #append: Database.Statement;
  readonly #alias: Database.Statement;
  readonly #next: Database.Statement;
  readonly #resolve: Database.Statement;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      const appId = this.#db.pragma('application_id', { simple: true }) as number;
      const version = this.#db.pragma('user_version', { simple: true }) as number;
      if (version > JOURNAL_VERSION) {
        throw new Error(`journal version ${version} is newer than this package reads (${JOURNAL_VERSION})`);
      }
      if (appId !== 0 && appId !== APPLICATION_ID) throw new Error('not a COVINA outage journal');
      this.#db.exec(SCHEMA);
      this.#db.pragma(`application_id = ${APPLICATION_ID}`);
      this.#db.pragma(`user_version = ${JOURNAL_VERSION}`);
    } catch (error) {
      throw new JournalError(`Cannot use ${path} as an outage journal: ${(error as Error).message}`, {
        context: { path, reason: (error as Error).message },
        cause: error,
      });
    }
    this.#append = this.#db.prepare(
      'INSERT INTO journal_entries (operation, state, attempts, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#alias = this.#db.prepare(
      "INSERT INTO journal_ids (provisional, real, state, seq) VALUES (?, NULL, 'pending', ?)",
    );
    this.#next = this.#db.prepare(
      "SELECT seq, operation, state, attempts, error, created_at AS createdAt FROM journal_entries WHERE state IN ('pending', 'sending') ORDER BY seq LIMIT 1",
    );
    this.#resolve = this.#db.prepare('SELECT real, state FROM journal_ids WHERE provisional = ?');
  }

  /**
   * Appends a write (durably: the call returns after the commit reached the disk) and reserves
   * its provisional ids. `inDoubt`: it may already have reached Redis (looked up on replay).
   */
  append(operation: JournalOperation, provisionalIds: readonly string[], inDoubt = false): number {
    const run = this.#db.transaction(() => {
      const state = inDoubt ? 'sending' : 'pending';
      const seq = Number(
        this.#append.run(JSON.stringify(operation), state, inDoubt ? 1 : 0, Date.now()).lastInsertRowid,
      );
      for (const id of provisionalIds) this.#alias.run(id, seq);
      return seq;
    });
    return run();
  }

  /** The oldest entry not applied or rejected yet. */
  next(): JournalEntry | null {
    const row = this.#next.get() as (Omit<JournalEntry, 'operation'> & { operation: string }) | undefined;
    return row ? { ...row, operation: JSON.parse(row.operation) as JournalOperation } : null;
  }

  /** Records that replaying `seq` starts (so a crash leaves it marked as in doubt). */
  markSending(seq: number): void {
    this.#db
      .prepare("UPDATE journal_entries SET state = 'sending', attempts = attempts + 1 WHERE seq = ?")
      .run(seq);
  }

  markApplied(seq: number, ids: ReadonlyArray<[provisional: string, real: string]>): void {
    this.#db.transaction(() => {
      this.#db
        .prepare("UPDATE journal_entries SET state = 'applied', error = NULL, done_at = ? WHERE seq = ?")
        .run(Date.now(), seq);
      const alias = this.#db.prepare(
        "UPDATE journal_ids SET real = ?, state = 'applied' WHERE provisional = ?",
      );
      for (const [provisional, real] of ids) alias.run(real, provisional);
    })();
  }

  markRejected(seq: number, error: string): void {
    this.#db.transaction(() => {
      this.#db
        .prepare("UPDATE journal_entries SET state = 'rejected', error = ?, done_at = ? WHERE seq = ?")
        .run(error, Date.now(), seq);
      this.#db.prepare("UPDATE journal_ids SET state = 'rejected' WHERE seq = ?").run(seq);
    })();
  }

  /** What a provisional id became: the real id, 'pending', 'rejected', or null if unknown. */
  resolve(provisional: string): { real: string | null; state: string } | null {
    return (this.#resolve.get(provisional) as { real: string | null; state: string } | undefined) ?? null;
  }

  /** Entries waiting to be replayed. */
  pendingCount(): number {
    return (
      this.#db
        .prepare("SELECT count(*) AS n FROM journal_entries WHERE state IN ('pending', 'sending')")
        .get() as { n: number }
    ).n;
  }

  /** Entries the store refused on replay (kept for people to look at). */
  rejected(): JournalEntry[] {
    const rows = this.#db
      .prepare(
        "SELECT seq, operation, state, attempts, error, created_at AS createdAt FROM journal_entries WHERE state = 'rejected' ORDER BY seq",
      )
      .all() as Array<Omit<JournalEntry, 'operation'> & { operation: string }>;
    return rows.map((r) => ({ ...r, operation: JSON.parse(r.operation) as JournalOperation }));
  }

  /** Removes applied entries older than `olderThanMs` (their id mappings stay). */
  prune(olderThanMs: number): number {
    return this.#db
      .prepare("DELETE FROM journal_entries WHERE state = 'applied' AND done_at < ?")
      .run(Date.now() - olderThanMs).changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
