import { RdbCursor } from './cursor.js';
import { readDumpPayload } from './dump-payload.js';
import { listpackEntries } from './listpack.js';
import { RdbType } from './types.js';

/** A DUMP payload that is not a hash (or not readable): the caller expected one. */
export class PayloadDecodeError extends Error {
  override name = 'PayloadDecodeError';
}

/**
 * Calls `visit` with each field and value of a hash, from its DUMP payload (listpack or
 * hashtable encoding), without building a map (a pipeline's task hash has millions of fields).
 * The value Buffer may be a view into `payload`: copy it to keep it.
 */
export function forEachHashField(payload: Buffer, visit: (field: string, value: Buffer) => void): void {
  const parts = readDumpPayload(payload);
  if (!parts) throw new PayloadDecodeError('DUMP payload checksum mismatch');
  const c = new RdbCursor(payload.subarray(0, parts.valueEnd), parts.valueStart);
  switch (parts.rdbType) {
    case RdbType.HASH: {
      for (let n = c.len(); n > 0; n--) {
        const field = c.string().toString('utf8');
        visit(field, c.string());
      }
      return;
    }
    case RdbType.HASH_LISTPACK: {
      const entries = listpackEntries(c.string());
      for (let i = 0; i + 1 < entries.length; i += 2) visit(entries[i]!.toString('utf8'), entries[i + 1]!);
      return;
    }
    default:
      throw new PayloadDecodeError(`expected a hash payload, got RDB type ${parts.rdbType}`);
  }
}

/** The fields of a hash from its DUMP payload. */
export function decodeHash(payload: Buffer): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  forEachHashField(payload, (field, value) => fields.set(field, Buffer.from(value)));
  return fields;
}
