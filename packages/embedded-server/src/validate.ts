import { RedisOptionsError } from './errors.js';
import type { MaxmemoryPolicy, StartRedisOptions } from './options.js';

const POLICIES: readonly MaxmemoryPolicy[] = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
];

export function checkPort(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65_535) {
    throw new RedisOptionsError(field, `expected an integer port in 1..65535, got ${JSON.stringify(value)}`);
  }
}

export function checkPositive(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RedisOptionsError(field, `expected a positive number, got ${JSON.stringify(value)}`);
  }
}

function checkNonEmpty(field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw new RedisOptionsError(field, 'expected a non-empty string');
  }
}

/** Rejects option values that could not work, naming the field. The password is never echoed. */
export function validateStartOptions(o: StartRedisOptions): void {
  if (o.port !== undefined) checkPort('port', o.port);
  if (o.bind !== undefined) {
    checkNonEmpty('bind', o.bind);
    if (/\s/.test(o.bind)) throw new RedisOptionsError('bind', 'expected one address, without spaces');
  }
  if (o.password !== undefined) checkNonEmpty('password', o.password);
  if (o.persistent !== undefined) checkNonEmpty('persistent', o.persistent);
  if (o.binary !== undefined) checkNonEmpty('binary', o.binary);
  if (o.maxmemory !== undefined) {
    const ok =
      typeof o.maxmemory === 'number'
        ? Number.isInteger(o.maxmemory) && o.maxmemory >= 0
        : /^\d+(b|k|kb|m|mb|g|gb)?$/i.test(o.maxmemory);
    if (!ok)
      throw new RedisOptionsError(
        'maxmemory',
        `expected bytes or a size like '256mb', got ${JSON.stringify(o.maxmemory)}`,
      );
  }
  if (o.maxmemoryPolicy !== undefined && !POLICIES.includes(o.maxmemoryPolicy)) {
    throw new RedisOptionsError('maxmemoryPolicy', `expected one of ${POLICIES.join(', ')}`);
  }
  if (o.args !== undefined && (!Array.isArray(o.args) || o.args.some((a) => typeof a !== 'string'))) {
    throw new RedisOptionsError('args', 'expected an array of strings');
  }
  if (o.startTimeoutMs !== undefined) checkPositive('startTimeoutMs', o.startTimeoutMs);
  if (o.stopTimeoutMs !== undefined) checkPositive('stopTimeoutMs', o.stopTimeoutMs);
}
