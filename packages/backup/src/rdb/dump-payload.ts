import { Crc64 } from './crc64.js';

/**
 * Builds a DUMP payload (what `DUMP` returns and `RESTORE` takes): the object type byte, the
 * serialized value, the RDB version (2 bytes LE) and a CRC-64 of all that (8 bytes LE).
 */
export function dumpPayload(
  rdbType: number,
  source: Uint8Array,
  start: number,
  end: number,
  rdbVersion: number,
): Buffer {
  const valueLength = end - start;
  const payload = Buffer.allocUnsafe(1 + valueLength + 10);
  payload[0] = rdbType;
  payload.set(source.subarray(start, end), 1);
  payload.writeUInt16LE(rdbVersion, 1 + valueLength);
  new Crc64().update(payload, 0, 1 + valueLength + 2).writeLE(payload, 1 + valueLength + 2);
  return payload;
}

/** Splits a DUMP payload into its parts; `null` when it is too short or its checksum is wrong. */
export function readDumpPayload(
  payload: Uint8Array,
): { rdbType: number; rdbVersion: number; valueStart: number; valueEnd: number } | null {
  if (payload.length < 11) return null;
  const end = payload.length - 10;
  const crc = new Crc64().update(payload, 0, payload.length - 8);
  if (!crc.equalsLE(payload, payload.length - 8)) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { rdbType: payload[0]!, rdbVersion: view.getUint16(end, true), valueStart: 1, valueEnd: end };
}
