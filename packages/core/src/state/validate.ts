import { StateValidationError } from './errors.js';
import { isWellFormedKey } from './key-codec.js';

/** `undefined` stays undefined (option not given); anything else must be a positive safe integer. */
export function positiveInteger(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new StateValidationError(field, `must be a positive integer (got ${describe(value)})`);
  }
  return value;
}

/** A TTL argument that must be given: a positive integer of milliseconds. */
export function requiredTtl(value: unknown, field: string): number {
  const ttl = positiveInteger(value, field);
  if (ttl === undefined) throw new StateValidationError(field, 'must be a positive integer of milliseconds');
  return ttl;
}

/**
 * A user key's type: a non-empty string. (Unpaired surrogates are caught while encoding, see
 * `StateKeyspace.redisKey`, so the hot path scans each key once.)
 */
export function checkKey(key: unknown, field: string): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new StateValidationError(field, `must be a non-empty string (got ${describe(key)})`);
  }
  return key;
}

/** A key prefix: any string UTF-8 can represent, the empty one included. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string')
    throw new StateValidationError('prefix', `must be a string (got ${describe(prefix)})`);
  if (!isWellFormedKey(prefix)) {
    throw new StateValidationError('prefix', 'must be well-formed Unicode (it holds an unpaired surrogate)');
  }
  return prefix;
}

/** A short description of a rejected value, without echoing its content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' ? String(value) : typeof value;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
