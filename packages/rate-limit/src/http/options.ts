import type { RateLimiter } from '../rate-limiter.js';
import type { RateLimitResult } from '../types.js';

/** A list entry: an IP address, a CIDR range (`10.0.0.0/8`, `2001:db8::/32`), or a subject key. */
export type AccessList<Req> = readonly string[] | ((request: Req) => boolean | Promise<boolean>);

/** Options every HTTP adapter takes (`Req` is the framework's request). */
export interface HttpRateLimitOptions<Req> {
  /** The limiter that decides. */
  limiter: RateLimiter;
  /**
   * The subject a request counts against (a user id, an API key…); `undefined` lets the
   * request through unlimited. Overrides keying by IP.
   * @default the client's IP address (an IPv6 client's /64 network, see `ipv6Subnet`)
   */
  key?: (request: Req) => string | undefined | Promise<string | undefined>;
  /**
   * Proxies whose `X-Forwarded-For` is believed (IP addresses or CIDR ranges). With none, the
   * client is the socket's peer and `X-Forwarded-For` is ignored, so it cannot be spoofed.
   * @default []
   */
  trustedProxies?: readonly string[];
  /**
   * IPv6 clients are keyed by their network of this many bits, since one user commonly holds a
   * whole /64 (and could otherwise rotate addresses to escape the limit). `false` keys by the
   * full address.
   * @default 64
   */
  ipv6Subnet?: number | false;
  /**
   * Never limited (no headers either): client IPs or ranges, subject keys, or a predicate.
   * @default []
   */
  allow?: AccessList<Req>;
  /**
   * Always refused with 403: client IPs or ranges, subject keys, or a predicate.
   * @default []
   */
  deny?: AccessList<Req>;
  /**
   * The cost of a request (e.g. by route or payload size).
   * @default 1
   */
  cost?: (request: Req) => number | Promise<number>;
  /**
   * Send `RateLimit` / `RateLimit-Policy` headers on every limited route's responses (denials
   * always get `Retry-After`).
   * @default true
   */
  headers?: boolean;
  /**
   * The JSON body of a 429 response.
   * @default an RFC 9457 problem: `{ type, title, status, detail, policy, retryAfterMs }`
   */
  body?: (result: RateLimitResult, request: Req) => unknown;
}
