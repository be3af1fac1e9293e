import { perRuleModel } from './per-rule.js';

/** Per rule: tokens × window (µs), and when they were counted (µs). */
export type TokenBucketState = Array<{ tokens: number; at: number }>;

/**
 * Token bucket: each rule's bucket holds up to `burst` tokens and refills at `limit` per
 * window; a request takes `cost` tokens from every bucket or from none. Tokens are counted in
 * 1/window-µs units, so refilling is integer arithmetic (exact while burst × window in µs
 * < 2^52). Mirrors `lua/token-bucket-n.lua`.
 */
export const tokenBucket = perRuleModel<TokenBucketState[number]>('token-bucket', (state, now, rules) => {
  const level: number[] = [];
  return {
    fits(j, cost) {
      const { limit, windowMs, burst } = rules[j]!;
      const W = windowMs * 1000;
      const stored = state?.[j];
      let tokens = burst * W;
      if (stored !== undefined)
        tokens = Math.min(tokens, stored.tokens + Math.max(0, now - stored.at) * limit);
      level[j] = tokens;
      return tokens >= cost * W;
    },
    settle(j, ok, cost) {
      const { limit: L, windowMs, burst } = rules[j]!;
      const W = windowMs * 1000;
      let tokens = level[j]!;
      let retry = 0;
      if (ok) tokens = tokens - cost * W;
      else if (tokens < cost * W) retry = Math.ceil((cost * W - tokens) / (1000 * L));
      const reset = Math.ceil((burst * W - tokens) / (1000 * L));
      return {
        numbers: { remaining: Math.floor(tokens / W), resetMs: reset, retryAfterMs: retry },
        saved: { tokens, at: now },
        ttlMs: reset,
      };
    },
  };
});
