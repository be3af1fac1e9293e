import type { Cluster, Redis } from 'ioredis';
import { subscribeChannels } from '../../connection/subscribe.js';
import type { StoreCore } from './core.js';

/**
 * Wake-ups for idle workers, without polling. Every script that makes tasks ready publishes
 * the pipeline's name on `wake:<pipeline>:<workerType>` (once per script and worker type).
 * A WorkSignal subscribes (one connection per store) and remembers a wake-up that arrives while
 * nobody waits, so the loop "claim; if nothing, wait" never sleeps through work that arrived
 * between the two calls, once the worker type is watched.
 */
export class WorkSignal {
  readonly #core: StoreCore;
  #subscriber: Redis | Cluster | undefined;
  readonly #typeByChannel = new Map<string, string>();
  readonly #subscribing = new Map<string, Promise<unknown>>();
  readonly #woken = new Set<string>();
  readonly #waiters = new Map<string, Set<(woken: boolean) => void>>();
  #closed = false;

  constructor(core: StoreCore) {
    this.#core = core;
  }

  #connection(): Redis | Cluster {
    if (!this.#subscriber) {
      const subscriber = this.#core.redis.duplicate();
      subscriber.on('message', (channel: string) => {
        const workerType = this.#typeByChannel.get(channel);
        if (workerType === undefined) return;
        const waiters = this.#waiters.get(workerType);
        if (waiters && waiters.size > 0) {
          for (const settle of [...waiters]) settle(true);
        } else {
          this.#woken.add(workerType);
        }
      });
      // Errors surface through the commands; ioredis reconnects and resubscribes.
      subscriber.on('error', () => {});
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  /** Subscribes to the wake-ups of these worker types (resolves once subscribed). */
  async watch(workerTypes: readonly string[]): Promise<void> {
    if (this.#closed) return;
    await Promise.all(
      workerTypes.map((workerType) => {
        let pending = this.#subscribing.get(workerType);
        if (!pending) {
          const channel = this.#core.keys.wakeChannel(workerType);
          this.#typeByChannel.set(channel, workerType);
          const subscribing = subscribeChannels(this.#connection(), [channel]);
          this.#subscribing.set(workerType, subscribing);
          // A failed SUBSCRIBE is not remembered: the next watch() or wait() tries again.
          subscribing.catch(() => {
            if (this.#subscribing.get(workerType) === subscribing) this.#subscribing.delete(workerType);
          });
          pending = subscribing;
        }
        return pending;
      }),
    );
  }

  /** Resolves true on a wake-up (or one received since the last wait), false on timeout or abort. */
  async wait(workerType: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    await this.watch([workerType]);
    if (this.#woken.delete(workerType)) return true;
    if (this.#closed || signal?.aborted || timeoutMs <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const waiters = this.#waiters.get(workerType) ?? new Set();
      this.#waiters.set(workerType, waiters);
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(done);
        resolve(woken);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiters of this.#waiters.values()) for (const settle of [...waiters]) settle(false);
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
