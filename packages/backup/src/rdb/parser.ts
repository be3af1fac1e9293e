import { Crc64 } from './crc64.js';
import { NEED_MORE, RdbCursor, RdbFormatError } from './cursor.js';
import { dumpPayload } from './dump-payload.js';
import { RdbUnsupportedTypeError, skipModuleFields, skipValue } from './skip-value.js';
import { MAX_RDB_VERSION, RdbOpcode } from './types.js';

/** One key of the RDB stream that the caller accepted. */
export interface RdbEntry {
  db: number;
  key: Buffer;
  /** RDB object type (first byte of the payload). */
  rdbType: number;
  /** Absolute expiry in Unix ms, or `null` for a key without one. */
  expireAt: number | null;
  /** A DUMP payload of the value (type byte, value, RDB version, CRC-64): RESTORE accepts it. */
  payload: Buffer;
}

export interface RdbParserHandlers {
  /** Decides from the database and key name whether to keep a key (others are only skipped). */
  accept(db: number, key: Buffer): boolean;
  /** Receives each accepted key, in stream order. */
  entry(entry: RdbEntry): void;
}

/** What the parser learned about the stream once it ended. */
export interface RdbSummary {
  version: number;
  /** Header fields (`redis-ver`, `ctime`, …). */
  aux: Record<string, string>;
  /** Keys seen in the whole stream, and those accepted. */
  keysSeen: number;
  keysAccepted: number;
  /** Bytes of the RDB stream. */
  bytes: number;
  /** Whether the trailing checksum was present (non-zero) and matched. */
  checksum: 'verified' | 'disabled';
}

const MIN_ATTEMPT_BYTES = 1 << 20;

/**
 * An incremental RDB parser: `write()` chunks as they arrive from the network, `end()` when the
 * stream is complete. Each top-level item (an aux field, or a key with its expiry and value) is
 * parsed in one go from a contiguous buffer; when it is incomplete the parser waits until the
 * buffered data has at least doubled before trying again, so a value of any size costs O(size).
 *
 * Accepted keys come out as DUMP payloads: the value bytes exactly as the RDB holds them (so
 * every encoding round-trips untouched), wrapped with the RDB version and a CRC-64.
 */
export class RdbStreamParser {
  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;
  #base = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #waitFor = 0;
  #version = 0;
  #db = 0;
  #done = false;
  #checksum: RdbSummary['checksum'] = 'disabled';
  readonly #crc = new Crc64();
  readonly #aux: Record<string, string> = {};
  #seen = 0;
  #accepted = 0;

  constructor(private readonly handlers: RdbParserHandlers) {}

  /** True once the EOF opcode and checksum were read. */
  get done(): boolean {
    return this.#done;
  }

  write(chunk: Buffer): void {
    if (this.#done) return; // bytes after the RDB (replication stream) are not ours
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#buf.length - this.#pos + this.#pendingBytes < this.#waitFor) return;
    this.#run();
  }

  /** Parses what is left; throws if the stream stopped before the RDB's end. */
  end(): RdbSummary {
    if (!this.#done) {
      this.#waitFor = 0;
      this.#run();
    }
    if (!this.#done) {
      throw new RdbFormatError('RDB stream ended before its EOF marker', this.#base + this.#buf.length);
    }
    return {
      version: this.#version,
      aux: { ...this.#aux },
      keysSeen: this.#seen,
      keysAccepted: this.#accepted,
      bytes: this.#base + this.#pos,
      checksum: this.#checksum,
    };
  }

  #run(): void {
    this.#absorbPending();
    const c = new RdbCursor(this.#buf, this.#pos, this.#base);
    while (!this.#done) {
      const start = c.pos;
      try {
        this.#step(c);
      } catch (error) {
        if (error !== NEED_MORE) throw error;
        c.pos = start;
        this.#waitFor = Math.max(MIN_ATTEMPT_BYTES, 2 * (this.#buf.length - start));
        break;
      }
      if (!this.#done) this.#crc.update(this.#buf, start, c.pos);
    }
    this.#pos = c.pos;
  }

  #absorbPending(): void {
    if (this.#pending.length === 0) return;
    const rest = this.#buf.subarray(this.#pos);
    this.#base += this.#pos;
    this.#buf =
      rest.length === 0 && this.#pending.length === 1
        ? this.#pending[0]!
        : Buffer.concat([rest, ...this.#pending]);
    this.#pos = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Reads one top-level item; throws NEED_MORE (nothing consumed for good) when incomplete. */
  #step(c: RdbCursor): void {
    if (this.#version === 0) {
      const magic = c.bytes(9).toString('latin1');
      if (!/^REDIS\d{4}$/.test(magic)) throw c.error(`not an RDB stream (header ${JSON.stringify(magic)})`);
      this.#version = Number(magic.slice(5));
      if (this.#version > MAX_RDB_VERSION) {
        throw c.error(`RDB version ${this.#version} is newer than this parser knows (${MAX_RDB_VERSION})`);
      }
      return;
    }
    let expireAt: number | null = null;
    for (;;) {
      const op = c.u8();
      switch (op) {
        case RdbOpcode.AUX: {
          const key = c.string().toString('utf8');
          this.#aux[key] = c.string().toString('utf8');
          return;
        }
        case RdbOpcode.RESIZEDB:
          c.len();
          c.len();
          return;
        case RdbOpcode.SELECTDB:
          this.#db = c.len();
          return;
        case RdbOpcode.SLOT_INFO:
          c.len();
          c.len();
          c.len();
          return;
        case RdbOpcode.FUNCTION2:
          c.skipString();
          return;
        case RdbOpcode.MODULE_AUX:
          c.len(); // module id
          c.len(); // "when" opcode
          c.len(); // when
          skipModuleFields(c);
          return;
        case RdbOpcode.FUNCTION_PRE_GA:
          throw new RdbUnsupportedTypeError(op);
        case RdbOpcode.EXPIRETIME_MS:
          expireAt = c.i64le();
          continue;
        case RdbOpcode.EXPIRETIME:
          expireAt = c.u32le() * 1000;
          continue;
        case RdbOpcode.IDLE:
          c.len();
          continue;
        case RdbOpcode.FREQ:
          c.u8();
          continue;
        case RdbOpcode.EOF:
          if (this.#version >= 5) c.need(8); // before touching the running CRC: a retry must not count twice
          this.#crc.update(c.buf, c.pos - 1, c.pos);
          if (this.#version >= 5) {
            const zero = c.buf.readBigUInt64LE(c.pos) === 0n;
            if (!zero && !this.#crc.equalsLE(c.buf, c.pos)) {
              throw c.error('RDB checksum mismatch: the transfer was corrupted');
            }
            this.#checksum = zero ? 'disabled' : 'verified';
            c.pos += 8;
          }
          this.#done = true;
          return;
        default:
          this.#keyValue(c, op, expireAt);
          return;
      }
    }
  }

  #keyValue(c: RdbCursor, rdbType: number, expireAt: number | null): void {
    const key = c.string();
    const valueStart = c.pos;
    skipValue(c, rdbType);
    this.#seen++;
    if (!this.handlers.accept(this.#db, key)) return;
    this.#accepted++;
    this.handlers.entry({
      db: this.#db,
      key: Buffer.from(key),
      rdbType,
      expireAt,
      payload: dumpPayload(rdbType, c.buf, valueStart, c.pos, this.#version),
    });
  }
}
