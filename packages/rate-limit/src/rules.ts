import { RateLimitConfigError } from './errors.js';
import type { Algorithm, NormalizedRule, RateLimitRule } from './types.js';

export const ALGORITHMS: readonly Algorithm[] = [
  'fixed-window',
  'sliding-window',
  'sliding-log',
  'token-bucket',
  'gcra',
];

/** Scripts take limits and windows as integers; a day of microseconds must stay exact in a double. */
export const MAX_WINDOW_MS = 366 * 24 * 3_600_000;
export const MAX_LIMIT = 1_000_000_000;
/** A policy name is an HTTP structured-field string: printable ASCII. */
const POLICY_NAME = /^[\x20-\x7e]{1,64}$/;

const UNITS: ReadonlyArray<[ms: number, unit: string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
];

/** `1000` → `'1s'`, `90000` → `'90s'`, `250` → `'250ms'`: the largest unit that divides evenly. */
export function formatWindow(ms: number): string {
  for (const [size, unit] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `value` if it is an integer from `min` to `max`; else a `RateLimitConfigError` naming `field`. */
export function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RateLimitConfigError(
      `${field} must be an integer from ${min} to ${max}, got ${String(value)}`,
      {
        context: { field, value },
      },
    );
  }
  return value;
}

export function checkAlgorithm(value: unknown): Algorithm {
  if (!ALGORITHMS.includes(value as Algorithm)) {
    throw new RateLimitConfigError(
      `algorithm must be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(value)}`,
      { context: { field: 'algorithm', value } },
    );
  }
  return value as Algorithm;
}

/** Validates a limiter's rules and fills their defaults (names, burst). */
export function normalizeRules(
  input: RateLimitRule | readonly RateLimitRule[],
  algorithm: Algorithm,
): readonly NormalizedRule[] {
  const list = Array.isArray(input) ? (input as readonly RateLimitRule[]) : [input as RateLimitRule];
  if (list.length === 0 || list.length > 16) {
    throw new RateLimitConfigError(`limits must hold 1 to 16 rules, got ${list.length}`, {
      context: { field: 'limits', value: list.length },
    });
  }
  const bursty = algorithm === 'token-bucket' || algorithm === 'gcra';
  const rules = list.map((rule, i): NormalizedRule => {
    const at = list.length === 1 ? 'limits' : `limits[${i}]`;
    if (typeof rule !== 'object' || rule === null) {
      throw new RateLimitConfigError(`${at} must be an object { limit, windowMs }`, {
        context: { field: at, value: rule },
      });
    }
    const limit = integerIn(`${at}.limit`, rule.limit, 1, MAX_LIMIT);
    const windowMs = integerIn(`${at}.windowMs`, rule.windowMs, 1, MAX_WINDOW_MS);
    if (rule.burst !== undefined && !bursty) {
      throw new RateLimitConfigError(`${at}.burst applies to token-bucket and gcra only, not ${algorithm}`, {
        context: { field: `${at}.burst`, value: rule.burst },
      });
    }
    const burst = rule.burst === undefined ? limit : integerIn(`${at}.burst`, rule.burst, 1, MAX_LIMIT);
    const name = rule.name ?? (list.length === 1 ? 'default' : `${limit}-per-${formatWindow(windowMs)}`);
    if (!POLICY_NAME.test(name) || name.includes('"') || name.includes('\\')) {
      throw new RateLimitConfigError(
        `${at}.name must be 1-64 printable ASCII characters without quotes or backslashes, got ${JSON.stringify(name)}`,
        { context: { field: `${at}.name`, value: name } },
      );
    }
    return Object.freeze({ name, limit, windowMs, burst });
  });
  const names = new Set(rules.map((r) => r.name));
  if (names.size !== rules.length) {
    throw new RateLimitConfigError('limits: two rules have the same name; give each a distinct name', {
      context: { field: 'limits', value: rules.map((r) => r.name) },
    });
  }
  return Object.freeze(rules);
}

/** The most a single check may cost: more could never be admitted, so it is refused up front. */
export function maxCost(rules: readonly NormalizedRule[], algorithm: Algorithm): number {
  const bursty = algorithm === 'token-bucket' || algorithm === 'gcra';
  return Math.min(...rules.map((r) => (bursty ? r.burst : r.limit)));
}
