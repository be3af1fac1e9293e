import { describe, expect, it } from 'vitest';
import { AddressList, clientIp, ipv6Network, normalizeIp, rateLimitHeaders } from '../src/http/node.js';
import { RateLimitConfigError } from '../src/index.js';

describe('client address', () => {
  const none = new AddressList('trustedProxies', []);
  const proxies = new AddressList('trustedProxies', ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp('203.0.113.5', '1.1.1.1', none)).toBe('203.0.113.5');
    expect(clientIp('::ffff:203.0.113.5', undefined, none)).toBe('203.0.113.5');
    expect(clientIp(undefined, '1.1.1.1', none)).toBeUndefined();
  });

  it('walks X-Forwarded-For right to left past trusted proxies only', () => {
    expect(clientIp('10.1.1.1', '198.51.100.4, 192.0.2.7', proxies)).toBe('198.51.100.4');
    expect(clientIp('10.1.1.1', ['6.6.6.6, 198.51.100.4', '10.2.2.2'], proxies)).toBe('198.51.100.4');
    expect(clientIp('10.1.1.1', '10.3.3.3, 10.4.4.4', proxies)).toBe('10.3.3.3');
    expect(clientIp('203.0.113.5', '198.51.100.4', proxies)).toBe('203.0.113.5');
    expect(clientIp('2001:db8::1', '2a00:1450::5', proxies)).toBe('2a00:1450::5');
    // Garbage from a trusted hop: stop at the last real address.
    expect(clientIp('10.1.1.1', 'not-an-ip', proxies)).toBe('10.1.1.1');
  });

  it('keys IPv6 clients by network', () => {
    expect(ipv6Network('2001:db8:aaaa:bbbb:1:2:3:4', 64)).toBe('2001:db8:aaaa:bbbb:0:0:0:0/64');
    expect(ipv6Network('2001:db8::1', 48)).toBe('2001:db8:0:0:0:0:0:0/48');
    expect(ipv6Network('::ffff:1.2.3.4', 128)).toBe('0:0:0:0:0:ffff:102:304/128');
    expect(ipv6Network('fe80::1%eth0', 10)).toBe('fe80:0:0:0:0:0:0:0/10');
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });

  it('rejects an entry that is not an address or range, naming the field', () => {
    expect(() => new AddressList('allow', ['10.0.0.0/33'])).toThrow(RateLimitConfigError);
    expect(() => new AddressList('trustedProxies', ['example.com'])).toThrow(/trustedProxies/);
  });
});

describe('rateLimitHeaders', () => {
  const rule = {
    name: 'default',
    limit: 100,
    windowMs: 60_000,
    allowed: true,
    remaining: 42,
    resetMs: 16_200,
    retryAfterMs: 0,
  };
  const base = { allowed: true, limit: 100, remaining: 42, resetMs: 16_200, retryAfterMs: 0, rules: [rule] };

  it('writes the draft-09 structured fields', () => {
    expect(rateLimitHeaders({ ...base, source: 'redis' })).toEqual({
      'RateLimit-Policy': '"default";q=100;w=60',
      RateLimit: '"default";r=42;t=17',
    });
  });

  it('adds Retry-After (whole seconds, at least 1) to denials, and no quota fields when failing open', () => {
    const denied = {
      ...base,
      allowed: false,
      retryAfterMs: 300,
      rules: [{ ...rule, allowed: false, retryAfterMs: 300 }],
    };
    expect(rateLimitHeaders({ ...denied, source: 'redis' })['Retry-After']).toBe('1');
    expect(rateLimitHeaders({ ...base, source: 'fail-open' })).toEqual({});
  });
});
