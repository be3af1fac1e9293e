import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHttpDecider, type HttpDecision, PROBLEM_JSON } from './decide.js';
import type { HttpRateLimitOptions } from './options.js';

export { AddressList, clientIp, ipv6Network, normalizeIp } from './client-ip.js';
export { createHttpDecider, type HttpDecision } from './decide.js';
export { rateLimitHeaders } from './headers.js';
export type { AccessList, HttpRateLimitOptions } from './options.js';

/** Writes a decision on a Node response: headers always, the whole 403/429 response when rejected. */
export function applyDecision(res: ServerResponse, decision: HttpDecision): boolean {
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  if (decision.action === 'pass') return true;
  const payload = JSON.stringify(decision.body);
  res.statusCode = decision.status;
  res.setHeader('Content-Type', PROBLEM_JSON);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
  return false;
}

/**
 * Rate limiting for a plain `node:http` server: resolves `true` when the request may go on
 * (the `RateLimit` headers are set), `false` when it has been answered (429 or 403).
 *
 * ```ts
 * const rateLimit = createHttpRateLimit({ limiter });
 * http.createServer(async (req, res) => {
 *   if (!(await rateLimit(req, res))) return;
 *   res.end('hello');
 * });
 * ```
 */
export function createHttpRateLimit(
  options: HttpRateLimitOptions<IncomingMessage>,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const decide = createHttpDecider(options);
  return async (req, res) => applyDecision(res, await decide(req, req));
}
