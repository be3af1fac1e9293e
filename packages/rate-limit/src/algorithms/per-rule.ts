import type { Algorithm, NormalizedRule } from '../types.js';
import type { AlgorithmModel, CheckOutcome, RuleNumbers } from './model.js';

/** What settling one rule of a check gives: its numbers, its state after, how long to keep it. */
export interface RuleSettlement<Saved> {
  readonly numbers: RuleNumbers;
  readonly saved: Saved;
  /** How long this rule's state must be kept (ms), were it written now. */
  readonly ttlMs: number;
}

/** One check, rule by rule: the two halves every per-rule script has. */
export interface RuleSteps<Saved> {
  /** Does rule `j` admit `cost` units now? Called for every rule before any `settle`. */
  fits(j: number, cost: number): boolean;
  /** Counts `cost` under rule `j` when the check is admitted (`ok`); its numbers either way. */
  settle(j: number, ok: boolean, cost: number): RuleSettlement<Saved>;
}

/**
 * A model whose state is one entry per rule, decided all-or-nothing the way each script's loop
 * decides (`lua/includes/checks.lua`): every rule's `fits`, then every rule's `settle`, and the
 * state written only when the check was admitted at a cost. `begin` starts one check.
 */
export function perRuleModel<Saved>(
  algorithm: Algorithm,
  begin: (
    state: readonly Saved[] | undefined,
    now: number,
    rules: readonly NormalizedRule[],
  ) => RuleSteps<Saved>,
): AlgorithmModel<Saved[]> {
  return {
    algorithm,
    check(state, now, rules, cost): CheckOutcome<Saved[]> {
      const steps = begin(state, now, rules);
      let ok = true;
      for (let j = 0; j < rules.length; j++) if (!steps.fits(j, cost)) ok = false;
      const numbers: RuleNumbers[] = [];
      const next: Saved[] = [];
      let ttlMs = 0;
      for (let j = 0; j < rules.length; j++) {
        const settled = steps.settle(j, ok, cost);
        numbers.push(settled.numbers);
        next.push(settled.saved);
        if (settled.ttlMs > ttlMs) ttlMs = settled.ttlMs;
      }
      const write = ok && cost > 0;
      return {
        allowed: ok,
        rules: numbers,
        state: write ? next : state,
        ttlMs: write ? Math.max(1, ttlMs) : undefined,
      };
    },
  };
}
