/**
 * LZF decompression, as Redis uses it for strings longer than 20 bytes in RDB files and DUMP
 * payloads (`rdbcompression yes`, the default). Throws on malformed input rather than
 * returning garbage.
 */
export function lzfDecompress(input: Uint8Array, outputLength: number): Buffer {
  const out = Buffer.allocUnsafe(outputLength);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++]!;
    if (ctrl < 32) {
      // Literal run of ctrl + 1 bytes.
      ctrl++;
      if (op + ctrl > outputLength || ip + ctrl > input.length) throw new RangeError('LZF: literal overruns');
      for (let k = 0; k < ctrl; k++) out[op++] = input[ip++]!;
    } else {
      // Back reference: length (3 bits, extended by one byte when 7), 13-bit offset.
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= input.length) throw new RangeError('LZF: truncated length');
        len += input[ip++]!;
      }
      if (ip >= input.length) throw new RangeError('LZF: truncated offset');
      let ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++]!;
      len += 2;
      if (ref < 0 || op + len > outputLength) throw new RangeError('LZF: back reference out of range');
      // Byte by byte: the source may overlap the bytes being written.
      for (let k = 0; k < len; k++) out[op++] = out[ref++]!;
    }
  }
  if (op !== outputLength) throw new RangeError(`LZF: expected ${outputLength} bytes, got ${op}`);
  return out;
}
