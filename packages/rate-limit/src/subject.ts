import { createHash } from 'node:crypto';
import { RateLimitConfigError } from './errors.js';

/**
 * A character a key segment may not hold as it is (or that would make SCAN patterns lie); `~`
 * too, which only ever starts a digest.
 */
const NEEDS_ESCAPE = /[^\x21-\x7e]|[%:{}*?[\]\\~]/;
const HEX = Array.from({ length: 256 }, (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
const encoder = new TextEncoder();
/** Longer subjects (long API keys, tokens) are stored as a digest, so keys stay short. */
const MAX_PLAIN = 128;

/**
 * A subject (IP, user id, API key…) as one key segment: printable ASCII other than
 * `% : { } * ? [ ] \ ~` stays as it is, anything else becomes `%XX` per UTF-8 byte, so
 * `2001:db8::1` is stored as `2001%3Adb8%3A%3A1` and any subject fits a hash tag. A subject
 * longer than 128 characters becomes `~` + its SHA-256 (base64url): keys stay short, and a
 * client cannot make them long.
 */
export function encodeSubject(subject: string): string {
  if (typeof subject !== 'string' || subject.length === 0) {
    throw new RateLimitConfigError('subject must be a non-empty string', {
      context: { field: 'subject', value: typeof subject === 'string' ? '' : typeof subject },
    });
  }
  if (subject.length > MAX_PLAIN) return `~${createHash('sha256').update(subject).digest('base64url')}`;
  if (!NEEDS_ESCAPE.test(subject)) return subject;
  let out = '';
  for (const char of subject) {
    if (!NEEDS_ESCAPE.test(char)) out += char;
    else for (const byte of encoder.encode(char)) out += HEX[byte];
  }
  return out;
}
