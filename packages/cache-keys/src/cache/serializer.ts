import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';
import { CacheSerializeError } from '../errors.js';

/** Turns values into the strings stored in Redis and back. */
export interface Serializer {
  /** Not set (or `false`) for text serializers. */
  readonly binary?: false;
  serialize(value: unknown): string;
  deserialize(text: string): unknown;
}

/**
 * Turns values into bytes stored in Redis and back: Buffers, images, compressed or packed data
 * (msgpack, protobuf…). The cache then reads entries as Buffers (`GET` → `getBuffer`).
 */
export interface BinarySerializer {
  /** Marks the serializer as binary. */
  readonly binary: true;
  serialize(value: unknown): Uint8Array;
  /** `bytes` may be a view into a larger buffer: copy it to keep it beyond this call. */
  deserialize(bytes: Buffer): unknown;
}

/**
 * The default: JSON. `undefined` is never stored (a loader returning it is not cached). Binary
 * values are refused (`CacheSerializeError`) rather than read back as `{ type, data }`: use
 * `v8Serializer` for them.
 */
export const jsonSerializer: Serializer = {
  serialize: (value) => {
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
      throw new CacheSerializeError(
        'jsonSerializer cannot store binary data (it would come back as a plain object); use v8Serializer',
      );
    }
    return JSON.stringify(value);
  },
  deserialize: (text) => JSON.parse(text),
};

/**
 * Node's structured serialization (`node:v8`), stored as raw bytes: Buffers and typed arrays
 * come back as themselves, and so do `Date`, `Map`, `Set`, `BigInt`, `RegExp`, at any depth.
 * The format is backward compatible across Node versions; only Node processes can read it.
 * Functions and class instances' prototypes are not kept (`CacheSerializeError`, or plain objects).
 */
export const v8Serializer: BinarySerializer = {
  binary: true,
  serialize: (value) => {
    try {
      return v8Serialize(value);
    } catch (cause) {
      throw new CacheSerializeError(`v8Serializer cannot store this value: ${(cause as Error).message}`, {
        cause,
      });
    }
  },
  deserialize: (bytes) => v8Deserialize(bytes),
};
