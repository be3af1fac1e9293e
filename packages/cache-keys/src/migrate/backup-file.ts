import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MigrationError } from '../errors.js';
import type { DumpedKey } from './dump.js';

/** First line of a backup file. */
export interface BackupHeader {
  covinaKeysBackup: 1;
  createdAt: string;
  /** What the backup was taken for (e.g. `migrate docState -> docStateV2`). */
  reason: string;
  count: number;
}

/**
 * A restorable backup: JSON lines, a header then one `{ key, pttl, dump }` per key
 * (`dump` = base64 of Redis DUMP, `pttl` = remaining ms at backup time, 0 = no expiry).
 */
export class BackupWriter {
  readonly #out: WriteStream;

  private constructor(out: WriteStream) {
    this.#out = out;
  }

  /** Creates the file; refuses to overwrite an existing backup. */
  static async create(
    path: string,
    header: Omit<BackupHeader, 'covinaKeysBackup' | 'createdAt'>,
  ): Promise<BackupWriter> {
    const out = createWriteStream(path, { flags: 'wx' });
    await Promise.race([
      once(out, 'open'),
      once(out, 'error').then(([error]) => {
        throw new MigrationError(`Cannot create backup file ${path}: ${(error as Error).message}`, {
          cause: error,
        });
      }),
    ]);
    const writer = new BackupWriter(out);
    await writer.#line({ covinaKeysBackup: 1, createdAt: new Date().toISOString(), ...header });
    return writer;
  }

  async write(keys: readonly DumpedKey[]): Promise<void> {
    for (const k of keys) await this.#line({ key: k.key, pttl: k.pttl, dump: k.dump.toString('base64') });
  }

  /** Flushes and closes (the data is on disk when this resolves). */
  async close(): Promise<void> {
    this.#out.end();
    await once(this.#out, 'finish');
  }

  async #line(value: object): Promise<void> {
    if (!this.#out.write(`${JSON.stringify(value)}\n`)) await once(this.#out, 'drain');
  }
}

/** Reads a backup file: the header, then batches of dumped keys. */
export async function* readBackup(path: string, batch: number): AsyncGenerator<BackupHeader | DumpedKey[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let header: BackupHeader | undefined;
  let pending: DumpedKey[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as Partial<BackupHeader> & { key?: string; pttl?: number; dump?: string };
    if (!header) {
      if (parsed.covinaKeysBackup !== 1)
        throw new MigrationError(`${path} is not a covina-keys backup (line 1)`);
      header = parsed as BackupHeader;
      yield header;
      continue;
    }
    if (
      typeof parsed.key !== 'string' ||
      typeof parsed.pttl !== 'number' ||
      typeof parsed.dump !== 'string'
    ) {
      throw new MigrationError(`${path}: line ${lineNo} is not a backed-up key`);
    }
    pending.push({ key: parsed.key, pttl: parsed.pttl, dump: Buffer.from(parsed.dump, 'base64') });
    if (pending.length >= batch) {
      yield pending;
      pending = [];
    }
  }
  if (!header) throw new MigrationError(`${path} is empty`);
  if (pending.length > 0) yield pending;
}
