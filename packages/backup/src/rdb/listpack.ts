/**
 * Reads the entries of a listpack (the compact encoding of small hashes, sets, sorted sets and
 * list nodes): strings come back as Buffers, integers as their decimal text (as Redis replies).
 */
export function listpackEntries(lp: Buffer): Buffer[] {
  if (lp.length < 7) throw new RangeError('listpack: too short');
  const out: Buffer[] = [];
  let p = 6; // total bytes (u32) + element count (u16)
  for (;;) {
    if (p >= lp.length) throw new RangeError('listpack: missing end marker');
    const b = lp[p]!;
    if (b === 0xff) return out;
    let entryLength: number;
    if ((b & 0x80) === 0) {
      out.push(Buffer.from(String(b & 0x7f)));
      entryLength = 1;
    } else if ((b & 0xc0) === 0x80) {
      const n = b & 0x3f;
      out.push(lp.subarray(p + 1, p + 1 + n));
      entryLength = 1 + n;
    } else if ((b & 0xe0) === 0xc0) {
      let v = ((b & 0x1f) << 8) | lp[p + 1]!;
      if (v >= 1 << 12) v -= 1 << 13;
      out.push(Buffer.from(String(v)));
      entryLength = 2;
    } else if ((b & 0xf0) === 0xe0) {
      const n = ((b & 0x0f) << 8) | lp[p + 1]!;
      out.push(lp.subarray(p + 2, p + 2 + n));
      entryLength = 2 + n;
    } else {
      switch (b) {
        case 0xf0: {
          const n = lp.readUInt32LE(p + 1);
          out.push(lp.subarray(p + 5, p + 5 + n));
          entryLength = 5 + n;
          break;
        }
        case 0xf1:
          out.push(Buffer.from(String(lp.readInt16LE(p + 1))));
          entryLength = 3;
          break;
        case 0xf2:
          out.push(Buffer.from(String(lp.readIntLE(p + 1, 3))));
          entryLength = 4;
          break;
        case 0xf3:
          out.push(Buffer.from(String(lp.readInt32LE(p + 1))));
          entryLength = 5;
          break;
        case 0xf4:
          out.push(Buffer.from(lp.readBigInt64LE(p + 1).toString()));
          entryLength = 9;
          break;
        default:
          throw new RangeError(`listpack: unknown entry encoding 0x${b.toString(16)}`);
      }
    }
    p += entryLength + backlenSize(entryLength);
  }
}

/** Bytes of the reverse-encoded entry length that follows each entry. */
function backlenSize(entryLength: number): number {
  if (entryLength < 128) return 1;
  if (entryLength < 16_384) return 2;
  if (entryLength < 2_097_152) return 3;
  if (entryLength < 268_435_456) return 4;
  return 5;
}
