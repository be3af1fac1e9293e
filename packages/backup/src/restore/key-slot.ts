/** CRC-16/XMODEM table (what Redis Cluster hashes keys with). */
const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
  TABLE[n] = c & 0xffff;
}

/** The Redis Cluster slot of a key: CRC-16 of its hash tag (or of the whole key) mod 16384. */
export function keySlot(key: Uint8Array): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf(0x7b); // '{'
  if (open >= 0) {
    const close = key.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ key[i]!) & 0xff]!;
  return crc & 0x3fff;
}
