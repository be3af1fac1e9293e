/** The rate-limiting algorithms; each is one Lua script and one in-memory model. */
export type Algorithm = 'fixed-window' | 'sliding-window' | 'sliding-log' | 'token-bucket' | 'gcra';

/** One limit: `limit` units of cost per `windowMs`. A limiter may combine several. */
export interface RateLimitRule {
  /** Units of cost (requests, by default) allowed per window: an integer >= 1. */
  limit: number;
  /** Length of the window in milliseconds: an integer >= 1. */
  windowMs: number;
  /**
   * `token-bucket` and `gcra` only: how many units may be spent at once, after a quiet period
   * (the bucket's capacity). The steady rate stays `limit / windowMs`.
   * @default limit
   */
  burst?: number;
  /**
   * The policy's name in `RateLimit` / `RateLimit-Policy` headers and in denials.
   * @default `'default'` for a limiter's only rule, else `'<limit>-per-<window>'` (`'10-per-1s'`)
   */
  name?: string;
}

/** A rule after validation: every field set. */
export interface NormalizedRule {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
}

/** Where a decision came from. */
export type DecisionSource =
  /** The Lua script, on Redis's clock: the normal case. */
  | 'redis'
  /** The in-memory block list: the subject was denied before and its wait is not over. */
  | 'blocked'
  /** Redis failed and the in-memory insurance limiter decided. */
  | 'insurance'
  /** Redis failed and the policy allowed the request without counting it. */
  | 'fail-open'
  /** Redis failed and the policy denied the request. */
  | 'fail-closed';

/** One rule's numbers for one check. */
export interface RuleResult {
  /** The rule's policy name. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** This rule alone would admit the request. */
  readonly allowed: boolean;
  /** Units still available under this rule after this check. */
  readonly remaining: number;
  /** Milliseconds until this rule's quota is whole again (0: nothing is used). */
  readonly resetMs: number;
  /** Milliseconds until this rule would admit the same request (0 when it admits it now). */
  readonly retryAfterMs: number;
}

/** The outcome of one check; the top-level numbers are those of the binding rule. */
export interface RateLimitResult {
  /** The request may proceed; its cost was counted under every rule. */
  readonly allowed: boolean;
  /** The binding rule's limit (the rule that denied, or the one with the least left). */
  readonly limit: number;
  /** Units left under the binding rule. */
  readonly remaining: number;
  /** Milliseconds until the binding rule's quota is whole again. */
  readonly resetMs: number;
  /** 0 when allowed; else milliseconds until the same request would be allowed (every rule). */
  readonly retryAfterMs: number;
  /** Every rule's own numbers, in the limiter's order (HTTP headers list them all). */
  readonly rules: readonly RuleResult[];
  /** Who decided: Redis, the block list, or a failure policy. */
  readonly source: DecisionSource;
}
