import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RateLimitConfigError } from '../errors.js';
import type { RateLimitResult } from '../types.js';
import { AddressList, clientIp, ipv6Network } from './client-ip.js';
import { rateLimitHeaders } from './headers.js';
import type { AccessList, HttpRateLimitOptions } from './options.js';

/** What an adapter does with a request. */
export type HttpDecision =
  /** Go on (with these headers, if any). */
  | { readonly action: 'pass'; readonly headers: Record<string, string>; readonly result?: RateLimitResult }
  /** Answer `status` with this JSON `body` and headers; the handler does not run. */
  | {
      readonly action: 'reject';
      readonly status: 403 | 429;
      readonly headers: Record<string, string>;
      readonly body: unknown;
      readonly result?: RateLimitResult;
    };

export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
const NONE: Record<string, string> = {};

/** RFC 9457 problem details for a denial. */
function tooManyRequests(result: RateLimitResult): unknown {
  const rule = result.rules.find((r) => !r.allowed) ?? result.rules[0];
  const wait = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  return {
    type: 'about:blank',
    title: 'Too Many Requests',
    status: 429,
    detail: `Rate limit "${rule?.name ?? 'default'}" exceeded; retry in ${wait} s.`,
    policy: rule?.name ?? 'default',
    retryAfterMs: result.retryAfterMs,
  };
}

const FORBIDDEN = Object.freeze({
  type: 'about:blank',
  title: 'Forbidden',
  status: 403,
  detail: 'This client may not use this service.',
});

/** Splits list entries into IP addresses / ranges (matched against the client IP) and subject keys. */
function compileList<Req>(field: string, list: AccessList<Req> | undefined) {
  if (list === undefined) return undefined;
  if (typeof list === 'function') return list;
  if (!Array.isArray(list)) {
    throw new RateLimitConfigError(`${field} must be an array of strings or a function`, {
      context: { field },
    });
  }
  const isAddress = (entry: string) => isIP(entry.split('/')[0] ?? '') !== 0;
  const addresses = new AddressList(field, list.filter(isAddress));
  const keys = new Set(list.filter((entry) => !isAddress(entry)));
  if (addresses.size === 0 && keys.size === 0) return undefined;
  return { addresses, keys };
}

async function listed<Req>(
  list: ReturnType<typeof compileList<Req>>,
  request: Req,
  ip: string | undefined,
  subject: string | undefined,
): Promise<boolean> {
  if (list === undefined) return false;
  if (typeof list === 'function') return list(request);
  return (ip !== undefined && list.addresses.has(ip)) || (subject !== undefined && list.keys.has(subject));
}

/**
 * The framework-independent part of every adapter: who the client is, the allow and deny
 * lists, the check, and the response to give. `raw` is the Node request under the framework's.
 */
export function createHttpDecider<Req>(
  options: HttpRateLimitOptions<Req>,
): (request: Req, raw: IncomingMessage) => Promise<HttpDecision> {
  const { limiter, key, cost, body = tooManyRequests } = options;
  if (typeof limiter?.check !== 'function') {
    throw new RateLimitConfigError('limiter must be a RateLimiter', { context: { field: 'limiter' } });
  }
  const trusted = new AddressList('trustedProxies', options.trustedProxies ?? []);
  const ipv6Subnet = options.ipv6Subnet ?? 64;
  if (ipv6Subnet !== false && !(Number.isInteger(ipv6Subnet) && ipv6Subnet >= 1 && ipv6Subnet <= 128)) {
    throw new RateLimitConfigError(
      `ipv6Subnet must be an integer from 1 to 128 or false, got ${String(ipv6Subnet)}`,
      {
        context: { field: 'ipv6Subnet', value: ipv6Subnet },
      },
    );
  }
  const allow = compileList('allow', options.allow);
  const deny = compileList('deny', options.deny);
  const sendHeaders = options.headers ?? true;

  const ipSubject = (ip: string | undefined) =>
    ip !== undefined && ipv6Subnet !== false && isIP(ip) === 6 ? ipv6Network(ip, ipv6Subnet) : ip;

  return async (request, raw) => {
    const ip = clientIp(raw.socket?.remoteAddress, raw.headers['x-forwarded-for'], trusted);
    const subject = key ? await key(request) : ipSubject(ip);
    if (await listed(allow, request, ip, subject)) return { action: 'pass', headers: NONE };
    if (await listed(deny, request, ip, subject)) {
      return { action: 'reject', status: 403, headers: NONE, body: FORBIDDEN };
    }
    // No subject (no key, no socket address): nothing to count against.
    if (subject === undefined) return { action: 'pass', headers: NONE };
    const result = await limiter.check(subject, { cost: cost ? await cost(request) : 1 });
    const headers = rateLimitHeaders(result);
    if (!sendHeaders && result.allowed) return { action: 'pass', headers: NONE, result };
    if (result.allowed) return { action: 'pass', headers, result };
    const only = sendHeaders ? headers : { 'Retry-After': headers['Retry-After']! };
    return { action: 'reject', status: 429, headers: only, body: body(result, request), result };
  };
}
