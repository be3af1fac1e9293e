import type Database from 'better-sqlite3';

/**
 * Inserts rows `rowsPerStatement` at a time (one multi-row VALUES statement), which costs a
 * fraction of one statement per row when a backup writes a million of them. Callers flush
 * before anything that must see every row written so far (a delete, a count, the commit).
 */
export class BatchedInsert {
  readonly #one: Database.Statement;
  readonly #many: Database.Statement;
  readonly #width: number;
  readonly #full: number;
  #pending: unknown[] = [];

  /** `sql(rows)` is the statement for `rows` rows of `columns` values each. */
  constructor(db: Database.Database, columns: number, sql: (rows: number) => string, rowsPerStatement = 100) {
    this.#one = db.prepare(sql(1));
    this.#many = db.prepare(sql(rowsPerStatement));
    this.#width = columns;
    this.#full = columns * rowsPerStatement;
  }

  /** Adds one row (its values in column order). */
  add(values: readonly unknown[]): void {
    const pending = this.#pending;
    for (let i = 0; i < values.length; i++) pending.push(values[i]);
    if (pending.length >= this.#full) this.flush();
  }

  flush(): void {
    const values = this.#pending;
    if (values.length === 0) return;
    this.#pending = [];
    if (values.length === this.#full) {
      this.#many.run(values);
      return;
    }
    for (let i = 0; i < values.length; i += this.#width) this.#one.run(values.slice(i, i + this.#width));
  }
}

/** `(?, ?, …), (?, ?, …)`: `rows` groups of `columns` placeholders. */
export function placeholders(columns: number, rows: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}
