import { describe, expect, it } from 'vitest';
import { encodeSubject, RateLimitConfigError } from '../src/index.js';

describe('encodeSubject', () => {
  it('keeps readable subjects readable and escapes what a key segment cannot hold', () => {
    expect(encodeSubject('user-42')).toBe('user-42');
    expect(encodeSubject('2001:db8::1')).toBe('2001%3Adb8%3A%3A1');
    expect(encodeSubject('{tag} *?')).toBe('%7Btag%7D%20%2A%3F');
    expect(encodeSubject('é')).toBe('%C3%A9');
    expect(encodeSubject('~x')).toBe('%7Ex');
  });

  it('stores long subjects as a digest, which no plain subject can equal', () => {
    const long = 'k'.repeat(500);
    const digest = encodeSubject(long);
    expect(digest).toMatch(/^~[A-Za-z0-9_-]{43}$/);
    expect(encodeSubject(`${long}x`)).not.toBe(digest);
    expect(encodeSubject(digest)).not.toBe(digest);
  });

  it('rejects an empty subject', () => {
    expect(() => encodeSubject('')).toThrow(RateLimitConfigError);
  });
});
