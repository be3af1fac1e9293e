import type { RedisClient, RedisGate } from './redis-gate.js';

/** A message between `Cache` instances sharing one Redis (one channel, JSON). */
export type BusMessage =
  /** A value was stored under a stampede lock (waiters may read it now). */
  | { t: 'filled'; k: string }
  /** A stampede lock was released without a value (waiters may take the lock). */
  | { t: 'released'; k: string }
  /** These keys changed or were deleted: drop them from memory tiers. */
  | { t: 'evict'; k: string[] }
  /** Keys of these templates (with these params) were invalidated. */
  | { t: 'evictMatch'; m: Array<{ n: string; p: Record<string, string> }> };

type Envelope = BusMessage & { o: string };

/**
 * Pub/sub between cache instances: wakes processes waiting on another's load and keeps
 * in-memory tiers in step. The subscriber connection is opened on first need; if it cannot
 * be opened, waiters fall back to polling, so the bus only ever makes things faster.
 */
export class CacheBus {
  #subscriber: RedisClient | undefined;
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #listeners = new Set<(message: BusMessage) => void>();

  constructor(
    private readonly gate: RedisGate,
    private readonly channel: string,
    private readonly origin: string,
  ) {}

  /** Sends a message; failures are ignored (the bus is an optimisation). */
  publish(message: BusMessage): void {
    if (!this.gate.available) return;
    const text = JSON.stringify({ ...message, o: this.origin } satisfies Envelope);
    this.gate.run('publish', (r) => r.publish(this.channel, text)).catch(() => {});
  }

  /** Receives messages from other instances (never our own). Opens the subscription. */
  onMessage(listener: (message: BusMessage) => void): void {
    this.#listeners.add(listener);
    this.#subscribe();
  }

  /** Resolves when `key` is filled or released by another instance, or after `ms`. */
  waitFor(key: string, ms: number): Promise<void> {
    this.#subscribe();
    return new Promise((resolve) => {
      let set = this.#waiters.get(key);
      if (!set) {
        set = new Set();
        this.#waiters.set(key, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  async close(): Promise<void> {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    for (const set of this.#waiters.values()) for (const wake of [...set]) wake();
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }

  #subscribe(): void {
    if (this.#subscriber) return;
    try {
      const sub = this.gate.redis.duplicate();
      this.#subscriber = sub;
      sub.on('error', () => {});
      sub.on('message', (_channel: string, text: string) => this.#receive(text));
      sub.subscribe(this.channel).catch(() => {});
    } catch {
      // No subscriber: waiters poll.
    }
  }

  #receive(text: string): void {
    let message: Envelope;
    try {
      message = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (message.o === this.origin) return;
    if (message.t === 'filled' || message.t === 'released') {
      const set = this.#waiters.get(message.k);
      if (set) for (const wake of [...set]) wake();
    }
    for (const listener of this.#listeners) listener(message);
  }
}
