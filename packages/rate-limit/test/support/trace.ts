import type { Redis } from 'ioredis';
import type { AlgorithmModel, RuleNumbers } from '../../src/algorithms/model.js';
import { rateScript } from '../../src/redis/scripts.js';
import type { Algorithm, NormalizedRule } from '../../src/types.js';

/** One check as the script answered it, with the key and the server time it decided at. */
export interface TracedCheck {
  readonly key: string;
  readonly now: number;
  readonly cost: number;
  readonly allowed: boolean;
  readonly rules: readonly RuleNumbers[];
}

/** Script calls to make: each a batch of checks, after a pause. */
export type Schedule = ReadonlyArray<{
  readonly delayMs: number;
  readonly checks: ReadonlyArray<{ readonly key: number; readonly cost: number }>;
}>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Script arguments for these rules, followed by the checks' costs. */
export function scriptArgs(rules: readonly NormalizedRule[], costs: readonly number[]): number[] {
  return [rules.length, ...rules.flatMap((r) => [r.limit, r.windowMs, r.burst]), ...costs];
}

/** Reads the checks of one script reply (`stride` = 1 + 3 × rules). */
export function readReply(
  reply: readonly number[],
  rules: number,
  keys: readonly string[],
  costs: readonly number[],
): TracedCheck[] {
  const stride = 1 + 3 * rules;
  return costs.map((cost, i) => {
    const at = 1 + i * stride;
    return {
      key: keys[i]!,
      now: reply[0]!,
      cost,
      allowed: reply[at] === 1,
      rules: Array.from({ length: rules }, (_, j) => ({
        remaining: reply[at + 1 + 3 * j]!,
        resetMs: reply[at + 2 + 3 * j]!,
        retryAfterMs: reply[at + 3 + 3 * j]!,
      })),
    };
  });
}

/** Runs a schedule: one script call per batch, on `keys[check.key]`, sleeping as told. */
export async function runSchedule(
  redis: Redis,
  algorithm: Algorithm,
  keys: readonly string[],
  rules: readonly NormalizedRule[],
  schedule: Schedule,
): Promise<TracedCheck[]> {
  const run = rateScript(redis, algorithm);
  const trace: TracedCheck[] = [];
  for (const batch of schedule) {
    if (batch.delayMs > 0) await sleep(batch.delayMs);
    const batchKeys = batch.checks.map((c) => keys[c.key]!);
    const costs = batch.checks.map((c) => c.cost);
    const reply = await run(batchKeys, scriptArgs(rules, costs));
    trace.push(...readReply(reply, rules.length, batchKeys, costs));
  }
  return trace;
}

/** Replays a trace through a model, check after check at the same server times, one state per key. */
export function replay(
  model: AlgorithmModel<unknown>,
  rules: readonly NormalizedRule[],
  trace: readonly TracedCheck[],
): TracedCheck[] {
  const states = new Map<string, unknown>();
  return trace.map(({ key, now, cost }) => {
    const outcome = model.check(states.get(key), now, rules, cost);
    states.set(key, outcome.state);
    return { key, now, cost, allowed: outcome.allowed, rules: outcome.rules };
  });
}
