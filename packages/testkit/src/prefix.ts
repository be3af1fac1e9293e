import { randomBytes } from 'node:crypto';

/** A key prefix no other test shares: `t<12 hex chars>`. Safe in keys and SCAN patterns. */
export function uniquePrefix(label = 't'): string {
  return `${label}${randomBytes(6).toString('hex')}`;
}
