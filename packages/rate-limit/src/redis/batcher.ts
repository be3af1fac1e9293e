import { hashTag } from './hash-tag.js';

/** A reply and where one check's numbers start in it. */
export interface BatchSlot {
  readonly reply: readonly number[];
  readonly offset: number;
}

interface Pending {
  readonly key: string;
  readonly cost: number;
  resolve(slot: BatchSlot): void;
  reject(error: unknown): void;
}

export interface BatcherOptions {
  /** Runs the script for these keys (one check each); resolves with its flat reply. */
  send(keys: string[], costs: number[]): Promise<number[]>;
  /** Numbers each check takes in the reply (after the leading server time). */
  stride: number;
  /** Most checks per script call. */
  maxBatch: number;
  /** Only checks whose keys share a hash tag may share a call (Redis Cluster). */
  bySlot: boolean;
  /** Rejects a call's checks with `onTimeout()` when Redis has not answered by then. */
  timeoutMs: number;
  onTimeout(): Error;
}

/**
 * Coalesces the checks made in one tick of the event loop into as few script calls as possible.
 *
 * Under load, many checks start in the same tick (a burst of requests, or the continuations of
 * one socket read): sending them as one EVALSHA with many keys costs Redis and the client one
 * command instead of many, which is where most of the time of a check goes. A check issued
 * alone is sent alone, on the next tick, so there is no added wait.
 */
export class CheckBatcher {
  readonly #options: BatcherOptions;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(options: BatcherOptions) {
    this.#options = options;
  }

  submit(key: string, cost: number): Promise<BatchSlot> {
    return new Promise<BatchSlot>((resolve, reject) => {
      this.#queue.push({ key, cost, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        process.nextTick(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    if (!this.#options.bySlot) {
      this.#sendAll(queue);
      return;
    }
    const groups = new Map<string, Pending[]>();
    for (const check of queue) {
      const tag = hashTag(check.key);
      const group = groups.get(tag);
      if (group) group.push(check);
      else groups.set(tag, [check]);
    }
    for (const group of groups.values()) this.#sendAll(group);
  }

  #sendAll(checks: Pending[]): void {
    const { maxBatch } = this.#options;
    if (checks.length <= maxBatch) this.#send(checks);
    else for (let i = 0; i < checks.length; i += maxBatch) this.#send(checks.slice(i, i + maxBatch));
  }

  #send(checks: Pending[]): void {
    const { send, stride, timeoutMs } = this.#options;
    const keys = new Array<string>(checks.length);
    const costs = new Array<number>(checks.length);
    for (let i = 0; i < checks.length; i++) {
      keys[i] = checks[i]!.key;
      costs[i] = checks[i]!.cost;
    }
    let settled = false;
    const expire = () => {
      if (settled) return;
      settled = true;
      const error = this.#options.onTimeout();
      for (const check of checks) check.reject(error);
    };
    // After the event loop was blocked (a GC pause, a CPU-bound handler), an expired timer runs
    // before the poll phase reads a reply that came in meanwhile: look once more after it
    // (setImmediate), so a stalled process does not take a prompt Redis for a slow one.
    const timer = setTimeout(() => setImmediate(expire), timeoutMs);
    timer.unref();
    let reply: Promise<number[]>;
    try {
      reply = send(keys, costs);
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(
      (reply) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        for (let i = 0; i < checks.length; i++) checks[i]!.resolve({ reply, offset: 1 + i * stride });
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        for (const check of checks) check.reject(error);
      },
    );
  }
}
