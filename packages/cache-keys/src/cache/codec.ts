import {
  type Entry,
  encodeEntry,
  encodeEntryBytes,
  expiryOf,
  payloadStart,
  payloadStartBytes,
} from './envelope.js';
import type { BinarySerializer, Serializer } from './serializer.js';

/** What Redis holds for one entry: a string, or bytes for a binary serializer. */
export type Stored = string | Buffer;

/** A decoded entry and its stored size (the memory tier's byte budget counts it). */
export type DecodedEntry = Entry & { bytes: number };

/** Envelope + serializer: the one place that knows how entries look in Redis. */
export interface EntryCodec {
  /** Entries are bytes: read them with `getBuffer` / `mgetBuffer`. */
  readonly binary: boolean;
  encode(value: unknown, expiresAt: number): Stored;
  /**
   * The entry, or `undefined` when `stored` is not a COVINA cache entry (or was written by a
   * serializer of the other kind). Throws what the serializer throws.
   */
  decode(stored: Stored): DecodedEntry | undefined;
}

export function entryCodec(serializer: Serializer | BinarySerializer): EntryCodec {
  if (serializer.binary === true) {
    return {
      binary: true,
      encode: (value, expiresAt) => encodeEntryBytes(serializer.serialize(value), expiresAt),
      decode: (stored) => {
        if (typeof stored === 'string') return undefined;
        const start = payloadStartBytes(stored);
        if (start < 0) return undefined;
        const value = serializer.deserialize(stored.subarray(start));
        return { value, expiresAt: expiryOf(stored, start), bytes: stored.length };
      },
    };
  }
  return {
    binary: false,
    encode: (value, expiresAt) => encodeEntry(serializer.serialize(value), expiresAt),
    decode: (stored) => {
      if (typeof stored !== 'string') return undefined;
      const start = payloadStart(stored);
      if (start < 0) return undefined;
      const value = serializer.deserialize(stored.slice(start));
      return { value, expiresAt: expiryOf(stored, start), bytes: stored.length };
    },
  };
}
