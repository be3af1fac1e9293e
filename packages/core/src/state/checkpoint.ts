import { StateValidationError } from './errors.js';
import { isWellFormedKey } from './key-codec.js';
import { toBuffer } from './value.js';

/** One entry of a checkpoint. */
export interface StateCheckpointEntry {
  /** The user key (as given to `put`). */
  key: string;
  /** The value's bytes. */
  value: Buffer;
  /** When the entry expires (epoch ms, by the Redis server's clock), or `null` if it never does. */
  expiresAt: number | null;
}

/**
 * A snapshot of one namespace, from `StateStore.checkpoint()`. Plain data (Buffers for
 * values), independent of the Redis version: store it anywhere and `restore()` it into the
 * same or another namespace, on the same or another server.
 */
export interface StateCheckpoint {
  /** Format version of this object. */
  version: 1;
  /** Namespace it was taken from (restore may target another one). */
  namespace: string;
  /** When the checkpoint started (epoch ms, by the Redis server's clock). */
  createdAt: number;
  /** Every entry found, sorted by key. */
  entries: StateCheckpointEntry[];
}

/** Options of `StateStore.restore()`. */
export interface StateRestoreOptions {
  /**
   * `replace`: afterwards the namespace holds exactly the checkpoint's live entries (others are
   * deleted). `merge`: the checkpoint's entries are written over, other keys are kept.
   * @default 'replace'
   */
  mode?: 'replace' | 'merge';
}

/** What `StateStore.restore()` did. */
export interface StateRestoreResult {
  /** Entries written. */
  written: number;
  /** Entries not written because their `expiresAt` had passed. */
  expired: number;
  /** Keys deleted because the checkpoint does not have them (`replace` mode). */
  deleted: number;
}

/** Checks a checkpoint's shape (it may come from disk) and returns its entries with Buffers. */
export function checkCheckpoint(checkpoint: unknown, maxValueBytes: number): StateCheckpointEntry[] {
  if (typeof checkpoint !== 'object' || checkpoint === null) {
    throw new StateValidationError('checkpoint', 'must be an object from StateStore.checkpoint()');
  }
  const { version, entries } = checkpoint as Partial<StateCheckpoint>;
  if (version !== 1) {
    throw new StateValidationError('checkpoint.version', `must be 1 (got ${JSON.stringify(version)})`);
  }
  if (!Array.isArray(entries)) throw new StateValidationError('checkpoint.entries', 'must be an array');
  const seen = new Set<string>();
  return entries.map((entry: unknown, i) => {
    const field = `checkpoint.entries[${i}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new StateValidationError(field, 'must be an object');
    const { key, value, expiresAt } = entry as Partial<StateCheckpointEntry>;
    if (typeof key !== 'string' || key.length === 0 || !isWellFormedKey(key)) {
      throw new StateValidationError(`${field}.key`, 'must be a non-empty, well-formed string');
    }
    if (seen.has(key)) throw new StateValidationError(`${field}.key`, `repeats key ${JSON.stringify(key)}`);
    seen.add(key);
    if (expiresAt !== null && !(Number.isSafeInteger(expiresAt) && (expiresAt as number) > 0)) {
      throw new StateValidationError(`${field}.expiresAt`, 'must be null or a positive integer (epoch ms)');
    }
    return { key, value: toBuffer(value, `${field}.value`, maxValueBytes), expiresAt: expiresAt ?? null };
  });
}
