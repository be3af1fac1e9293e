import type { Redis } from 'ioredis';
import { StateAbortedError, StateScanTimeoutError } from './errors.js';

/** Deadline, abort signal and progress of one SCAN-based call. */
export class ScanBudget {
  scanned = 0;
  readonly #deadline: number;

  constructor(
    readonly operation: string,
    readonly namespace: string,
    readonly timeBudgetMs: number,
    readonly signal?: AbortSignal,
  ) {
    this.#deadline = Date.now() + timeBudgetMs;
  }

  /** Throws when the call was aborted or ran out of time. */
  check(): void {
    const context = { operation: this.operation, namespace: this.namespace };
    if (this.signal?.aborted) {
      throw new StateAbortedError(
        `StateStore.${this.operation} (namespace "${this.namespace}") was aborted`,
        {
          context,
          cause: this.signal.reason,
        },
      );
    }
    if (Date.now() > this.#deadline) {
      throw new StateScanTimeoutError(
        `StateStore.${this.operation} (namespace "${this.namespace}") ran past its ${this.timeBudgetMs} ms ` +
          `budget after ${this.scanned} keys; raise scanTimeBudgetMs or narrow the prefix`,
        { context: { ...context, scanned: this.scanned, timeBudgetMs: this.timeBudgetMs } },
      );
    }
  }
}

/**
 * SCANs one server for `pattern`, yielding each non-empty page of key names. Never KEYS: each
 * call does about `count` units of work, and the budget is checked between calls. Like SCAN,
 * a key present for the whole scan is reported at least once (twice if Redis resizes its table).
 */
export async function* scanNode(
  node: Redis,
  pattern: string,
  count: number,
  budget: ScanBudget,
): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    budget.check();
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    budget.scanned += keys.length;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
