import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHttpDecider } from './decide.js';
import { applyDecision } from './node.js';
import type { HttpRateLimitOptions } from './options.js';

export { rateLimitHeaders } from './headers.js';
export type { AccessList, HttpRateLimitOptions } from './options.js';

/** An Express / connect middleware (typed structurally, so neither is needed to import this). */
export type RateLimitMiddleware<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Rate limiting as Express / connect middleware: sets the `RateLimit` headers and calls
 * `next()`, or answers 429 (with `Retry-After` and a JSON problem body) or 403 for the deny
 * list. Errors (a bad cost, Redis failing under `onRedisFailure: 'throw'`) go to `next(error)`.
 *
 * ```ts
 * app.use(expressRateLimit({ limiter, key: (req) => req.get('x-api-key') }));
 * ```
 */
export function expressRateLimit<Req extends IncomingMessage = IncomingMessage>(
  options: HttpRateLimitOptions<Req>,
): RateLimitMiddleware<Req> {
  const decide = createHttpDecider(options);
  return (req, res, next) => {
    decide(req, req).then((decision) => {
      if (applyDecision(res, decision)) next();
    }, next);
  };
}
