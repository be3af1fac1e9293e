import { InvalidOptionError } from './errors.js';

/** Throws `InvalidOptionError` naming the option and what it must be. */
export function failOption(option: string, expected: string, value: unknown): never {
  const shown = typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
  throw new InvalidOptionError(`Option "${option}" must be ${expected}, got ${shown}`, {
    context: { option, expected },
  });
}

/** An integer of at least `min` (ms, counts). */
export function integerOption(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    failOption(option, `an integer >= ${min}`, value);
  }
  return value;
}

/** A duration of at least `min` ms, or Infinity when `allowInfinity`. */
export function durationOption(option: string, value: unknown, min: number, allowInfinity = false): number {
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    failOption(option, `a number of ms >= ${min}${allowInfinity ? ' (or Infinity)' : ''}`, value);
  }
  return Math.floor(value);
}

export function booleanOption(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') failOption(option, 'true or false', value);
  return value;
}
