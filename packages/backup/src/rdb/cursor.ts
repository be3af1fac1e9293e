import { lzfDecompress } from './lzf.js';

/** Thrown (one shared instance, no stack) when the buffer ends inside the item being read. */
export const NEED_MORE: unique symbol = Symbol('rdb:need-more');

/** Malformed RDB data: the stream cannot be parsed past this point. */
export class RdbFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'RdbFormatError';
  }
}

const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

/** A length, or the special encoding a string uses instead of one. */
interface Length {
  value: number;
  encoded: boolean;
}

/**
 * Reads RDB primitives from a buffer. Every read checks bounds and throws `NEED_MORE` when the
 * data is not there yet, so a caller can rewind to the start of an item and retry later.
 */
export class RdbCursor {
  pos: number;
  readonly #length: Length = { value: 0, encoded: false };

  constructor(
    public buf: Buffer,
    start = 0,
    /** Offset of `buf[0]` in the whole stream, for error messages. */
    public base = 0,
  ) {
    this.pos = start;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw NEED_MORE;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw NEED_MORE;
    return this.buf[this.pos++]!;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A signed 64-bit little-endian integer (expiry times), as a JS number. */
  i64le(): number {
    this.need(8);
    const value = Number(this.buf.readBigInt64LE(this.pos));
    this.pos += 8;
    return value;
  }

  u32le(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A length prefix, or (with `encoded`) the special string encoding that replaces it. */
  length(): Length {
    const first = this.u8();
    const out = this.#length;
    out.encoded = false;
    switch (first >> 6) {
      case 0:
        out.value = first & 0x3f;
        return out;
      case 1:
        out.value = ((first & 0x3f) << 8) | this.u8();
        return out;
      case 2:
        if (first === 0x80) {
          this.need(4);
          out.value = this.buf.readUInt32BE(this.pos);
          this.pos += 4;
          return out;
        }
        if (first === 0x81) {
          this.need(8);
          out.value = Number(this.buf.readBigUInt64BE(this.pos));
          this.pos += 8;
          return out;
        }
        throw this.error(`unknown length prefix 0x${first.toString(16)}`);
      default:
        out.value = first & 0x3f;
        out.encoded = true;
        return out;
    }
  }

  /** A plain length (an encoded string here is malformed data). */
  len(): number {
    const l = this.length();
    if (l.encoded) throw this.error('expected a length, found a string encoding');
    return l.value;
  }

  skipString(): void {
    const l = this.length();
    if (!l.encoded) {
      this.skip(l.value);
      return;
    }
    switch (l.value) {
      case ENC_INT8:
        this.skip(1);
        return;
      case ENC_INT16:
        this.skip(2);
        return;
      case ENC_INT32:
        this.skip(4);
        return;
      case ENC_LZF: {
        const compressed = this.len();
        this.len();
        this.skip(compressed);
        return;
      }
      default:
        throw this.error(`unknown string encoding ${l.value}`);
    }
  }

  /** A string with its encoding undone (integers as decimal text, LZF decompressed). */
  string(): Buffer {
    const l = this.length();
    if (!l.encoded) return this.bytes(l.value);
    switch (l.value) {
      case ENC_INT8:
        this.need(1);
        return Buffer.from(String(this.buf.readInt8(this.pos++)));
      case ENC_INT16: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return Buffer.from(String(v));
      }
      case ENC_INT32: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return Buffer.from(String(v));
      }
      case ENC_LZF: {
        const compressed = this.len();
        const plain = this.len();
        const data = this.bytes(compressed);
        try {
          return lzfDecompress(data, plain);
        } catch (error) {
          throw this.error(`bad LZF string: ${(error as Error).message}`);
        }
      }
      default:
        throw this.error(`unknown string encoding ${l.value}`);
    }
  }

  error(message: string): RdbFormatError {
    return new RdbFormatError(message, this.base + this.pos);
  }
}
