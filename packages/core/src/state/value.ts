import { StatePayloadTooLargeError, StateValidationError } from './errors.js';

/** What a StateStore stores: bytes. Strings are accepted and stored as UTF-8. */
export type StateValue = Buffer | Uint8Array | string;

/** The bytes of a value, without copying Buffers and Uint8Arrays; checks type and size. */
export function toBuffer(value: unknown, field: string, maxBytes: number): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) bytes = value;
  else if (value instanceof Uint8Array) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
  else {
    const got = value === null ? 'null' : typeof value;
    throw new StateValidationError(field, `must be a Buffer, Uint8Array or string (got ${got})`);
  }
  if (bytes.byteLength > maxBytes) throw new StatePayloadTooLargeError(field, bytes.byteLength, maxBytes);
  return bytes;
}
