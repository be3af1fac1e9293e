import type { RateLimitResult } from '../types.js';

const seconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * HTTP headers for a check's result, in the syntax of the IETF draft
 * draft-ietf-httpapi-ratelimit-headers-09 (the `RateLimit` and `RateLimit-Policy` structured
 * fields, one list item per rule, introduced in -08):
 *
 * ```http
 * RateLimit-Policy: "10-per-1s";q=10;w=1, "1000-per-1h";q=1000;w=3600
 * RateLimit: "10-per-1s";r=7;t=1, "1000-per-1h";r=993;t=3600
 * Retry-After: 17
 * ```
 *
 * `w` and `t` are whole seconds (rounded up: a 500 ms window is `w=1`). `Retry-After`
 * (RFC 9110) is set on denials. A fail-open decision knows nothing about quotas, so it gets no
 * `RateLimit` fields at all.
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {};
  if (result.source !== 'fail-open') {
    headers['RateLimit-Policy'] = result.rules
      .map((r) => `"${r.name}";q=${r.limit};w=${Math.max(1, seconds(r.windowMs))}`)
      .join(', ');
    headers.RateLimit = result.rules
      .map((r) => `"${r.name}";r=${r.remaining};t=${seconds(r.resetMs)}`)
      .join(', ');
  }
  if (!result.allowed) headers['Retry-After'] = String(Math.max(1, seconds(result.retryAfterMs)));
  return headers;
}
