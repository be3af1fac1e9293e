import { ValidationError } from './errors.js';

/** Names that become part of a key or channel: no `:`, braces, whitespace or glob characters. */
const KEY_PART = /^[A-Za-z0-9_.~@+=/-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkKeyPart(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, 'must be a non-empty string');
  }
  if (value.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  if (!KEY_PART.test(value)) {
    throw new ValidationError(field, 'may contain only letters, digits and _ - . ~ / @ + =');
  }
  return value;
}

/** A text field stored as is: non-empty (unless allowed), bounded, no control characters. */
export function checkText(
  field: string,
  value: unknown,
  options: { max: number; allowEmpty?: boolean; allowControl?: boolean },
): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.length === 0 && !options.allowEmpty) throw new ValidationError(field, 'must not be empty');
  if (value.length > options.max)
    throw new ValidationError(field, `must be at most ${options.max} characters`);
  if (!options.allowControl && CONTROL.test(value)) {
    throw new ValidationError(field, 'must not contain control characters (newlines, tabs, …)');
  }
  return value;
}

/** An id the store generated (task, file, batch); ids are key-safe by construction. */
export function checkId(field: string, value: unknown): string {
  return checkKeyPart(field, value, 200);
}

export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ValidationError(field, 'must be an integer');
  if (value < min || value > max) throw new ValidationError(field, `must be between ${min} and ${max}`);
  return value;
}

export function checkPositiveInt(field: string, value: unknown, min = 1): number {
  return checkInt(field, value, min, Number.MAX_SAFE_INTEGER);
}

export function checkNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError(field, 'must be a finite number');
  if (value < min || value > max) throw new ValidationError(field, `must be between ${min} and ${max}`);
  return value;
}

export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** An options or input object (its fields are checked one by one afterwards). */
export function checkObject<T = Record<string, unknown>>(field: string, value: T | unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as T;
}

export function checkArray(field: string, value: unknown, max: number): unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  if (value.length > max) throw new ValidationError(field, `must have at most ${max} entries`);
  return value;
}

/** JSON text of a value; `undefined` stays `undefined`. */
export function toJson(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(field, 'must be JSON-serialisable', error);
  }
  if (text === undefined)
    throw new ValidationError(field, 'must be JSON-serialisable (not a function or symbol)');
  return text;
}

/** The message of an error-like value, bounded. */
export function errorMessage(error: unknown, max = 2000): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else if (error === undefined) text = 'failed';
  else text = toJson('error', error) ?? String(error);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
