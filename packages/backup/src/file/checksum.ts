import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array | string, value?: number) => number;

/** zlib.crc32 is native from Node 20.15; older 20.x get the table version below. */
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;

let table: Int32Array | undefined;
function portableCrc32(data: Uint8Array | string, value = 0): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let crc = ~value;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 (zlib's), chained over several pieces: `crc32(b, crc32(a))`. */
export const crc32: Crc32 = nativeCrc32 ?? portableCrc32;

/** Row checksum of a backed-up key: covers the key, its scope, expiry and payload. */
export function keyRowChecksum(
  scope: string,
  key: Uint8Array,
  expireAt: number | null,
  payload: Uint8Array,
): number {
  let crc = crc32(scope);
  crc = crc32(key, crc);
  crc = crc32(expireAt === null ? '-' : String(expireAt), crc);
  return crc32(payload, crc);
}

/**
 * Row checksum of a table row given as its column values (in schema order): CRC-32 of the
 * text values separated by U+001F (NULL as U+0000), with byte values chained in as bytes.
 */
export function rowChecksum(values: readonly unknown[]): number {
  let crc = 0;
  let text = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) text += '\u001f';
    if (v === null || v === undefined) text += '\u0000';
    else if (v instanceof Uint8Array) {
      crc = crc32(v, crc32(text, crc));
      text = '\u0002';
    } else text += String(v);
  }
  return crc32(text, crc);
}

/** SHA-256 (hex) of text lines: the manifest digest. */
export function digestLines(lines: readonly string[]): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return hash.digest('hex');
}
