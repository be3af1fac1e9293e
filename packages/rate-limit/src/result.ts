import type { RuleNumbers } from './algorithms/model.js';
import type { DecisionSource, NormalizedRule, RateLimitResult, RuleResult } from './types.js';

/**
 * Builds a result from each rule's numbers. The top-level numbers are the binding rule's: the
 * one that makes the caller wait longest when denied, the one with the least left when allowed.
 */
export function buildResult(
  rules: readonly NormalizedRule[],
  allowed: boolean,
  numbers: (j: number) => RuleNumbers,
  source: DecisionSource,
): RateLimitResult {
  const list = new Array<RuleResult>(rules.length);
  let binding = 0;
  for (let j = 0; j < rules.length; j++) {
    const rule = rules[j]!;
    const n = numbers(j);
    list[j] = {
      name: rule.name,
      limit: rule.limit,
      windowMs: rule.windowMs,
      allowed: n.retryAfterMs === 0,
      remaining: n.remaining,
      resetMs: n.resetMs,
      retryAfterMs: n.retryAfterMs,
    };
    const best = list[binding]!;
    if (j > 0 && (allowed ? n.remaining < best.remaining : n.retryAfterMs > best.retryAfterMs)) binding = j;
  }
  const top = list[binding]!;
  return {
    allowed,
    limit: top.limit,
    remaining: top.remaining,
    resetMs: top.resetMs,
    retryAfterMs: allowed ? 0 : top.retryAfterMs,
    rules: list,
    source,
  };
}

/** A decision made without any state (fail-open, fail-closed): the same numbers for every rule. */
export function blindResult(
  rules: readonly NormalizedRule[],
  allowed: boolean,
  waitMs: number,
  source: DecisionSource,
): RateLimitResult {
  return buildResult(
    rules,
    allowed,
    (j) =>
      allowed
        ? { remaining: rules[j]!.limit, resetMs: 0, retryAfterMs: 0 }
        : { remaining: 0, resetMs: waitMs, retryAfterMs: waitMs },
    source,
  );
}
