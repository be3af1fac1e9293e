import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** How large payloads and results are compressed (`none` stores them as JSON text). */
export type CompressionAlgorithm = 'deflate' | 'gzip' | 'brotli' | 'none';

const deflate = promisify(zlib.deflateRaw);
const inflate = promisify(zlib.inflateRaw);
const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliCompress);
const unbrotli = promisify(zlib.brotliDecompress);

/**
 * An out-of-line payload or result: one tag byte, then the bytes. The tag names the codec, so
 * readers decode whatever any writer (any version, any option) stored.
 */
const TAG = { json: 0x6a /* j */, deflate: 0x7a /* z */, gzip: 0x67 /* g */, brotli: 0x62 /* b */ } as const;

async function compress(algorithm: Exclude<CompressionAlgorithm, 'none'>, data: Buffer): Promise<Buffer> {
  if (algorithm === 'deflate') return deflate(data);
  if (algorithm === 'gzip') return gzip(data);
  // Quality 5: most of brotli's ratio at a small share of its maximum-quality cost.
  return brotli(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/** Encodes JSON text for out-of-line storage, compressed when that is worth it. */
export async function encodeBlob(
  json: string,
  algorithm: CompressionAlgorithm,
  thresholdBytes: number,
): Promise<Buffer> {
  const raw = Buffer.from(json, 'utf8');
  if (algorithm !== 'none' && raw.length > thresholdBytes) {
    const packed = await compress(algorithm, raw);
    if (packed.length < raw.length) return Buffer.concat([Buffer.of(TAG[algorithm]), packed]);
  }
  return Buffer.concat([Buffer.of(TAG.json), raw]);
}

/** The JSON text of a stored blob. */
export async function decodeBlob(blob: Buffer): Promise<string> {
  const body = blob.subarray(1);
  switch (blob[0]) {
    case TAG.json:
      return body.toString('utf8');
    case TAG.deflate:
      return (await inflate(body)).toString('utf8');
    case TAG.gzip:
      return (await gunzip(body)).toString('utf8');
    case TAG.brotli:
      return (await unbrotli(body)).toString('utf8');
    default:
      throw new Error(`unknown blob codec tag ${blob[0]}`);
  }
}

/** `decodeBlob` without awaiting: for readers decoding a snapshot row by row (backups). */
export function decodeBlobSync(blob: Buffer): string {
  const body = blob.subarray(1);
  switch (blob[0]) {
    case TAG.json:
      return body.toString('utf8');
    case TAG.deflate:
      return zlib.inflateRawSync(body).toString('utf8');
    case TAG.gzip:
      return zlib.gunzipSync(body).toString('utf8');
    case TAG.brotli:
      return zlib.brotliDecompressSync(body).toString('utf8');
    default:
      throw new Error(`unknown blob codec tag ${blob[0]}`);
  }
}

/** Is this stored blob compressed (for tests and stats)? */
export function isCompressed(blob: Buffer): boolean {
  return blob.length > 0 && blob[0] !== TAG.json;
}
