import { subscribeChannels, unsubscribeChannels } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';

interface Channel {
  refs: number;
  /** Pending unsubscribe once the last waiter left (cancelled if a new one comes first). */
  linger: NodeJS.Timeout | undefined;
  /** Bumped by every message: a waiter compares it with the value it saw before its attempt. */
  generation: number;
  readonly wakers: Set<() => void>;
  readonly ready: Promise<boolean>;
  /** The SUBSCRIBE was acknowledged: messages are flowing. */
  active: boolean;
}

/** One waiter's subscription to the release channel of one lock name. */
export interface ChannelWatch {
  /** Resolves once the subscription is active (false if subscribing failed). */
  readonly ready: Promise<boolean>;
  /** Messages seen so far on this channel; read it before an attempt, pass it to `wait`. */
  generation(): number;
  /**
   * Resolves when a release is announced after `since` was read (at once if one already was),
   * or after `ms`. Rejects with the signal's reason when `signal` aborts.
   */
  wait(since: number, ms: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/** How long a channel stays subscribed after its last waiter left. */
const SUBSCRIPTION_LINGER_MS = 2_000;

/**
 * Wakes lock waiters when a holder releases: one subscriber connection per lock manager
 * (opened on the first wait), subscribed to each channel while someone waits on it (and for
 * a moment after, so a busy lock does not subscribe and unsubscribe for every wait).
 * Waiters also re-check after a bounded delay, so a lost message only costs latency.
 */
export class ReleaseNotifier {
  readonly #source: Redis | Cluster;
  readonly #onError: (error: unknown) => void;
  readonly #channels = new Map<string, Channel>();
  #subscriber: Redis | Cluster | undefined;

  constructor(source: Redis | Cluster, onError: (error: unknown) => void) {
    this.#source = source;
    this.#onError = onError;
  }

  /**
   * A watch on `channel`, only if it is already subscribed (other waiters, or a recent one):
   * then a waiter can read the generation before its first attempt and skip the extra attempt a
   * fresh subscription needs.
   */
  watchIfActive(channel: string): ChannelWatch | undefined {
    return this.#channels.get(channel)?.active ? this.watch(channel) : undefined;
  }

  watch(channel: string): ChannelWatch {
    let entry = this.#channels.get(channel);
    if (!entry) {
      const created: Channel = {
        refs: 0,
        linger: undefined,
        generation: 0,
        wakers: new Set(),
        active: false,
        ready: this.#subscribe(channel).then((ok) => {
          created.active = ok;
          // Failed (Redis away, no permission): the next waiter subscribes afresh instead of
          // sharing a channel that will never carry a message. Waiters on this one keep their timers.
          if (!ok && this.#channels.get(channel) === created) this.#channels.delete(channel);
          return ok;
        }),
      };
      entry = created;
      this.#channels.set(channel, entry);
    }
    clearTimeout(entry.linger);
    entry.linger = undefined;
    entry.refs++;
    const current = entry;
    let closed = false;
    return {
      ready: current.ready,
      generation: () => current.generation,
      wait: (since, ms, signal) => waitOn(current, since, ms, signal),
      close: () => {
        if (closed) return;
        closed = true;
        if (--current.refs > 0) return;
        // A hot lock gets waiters again soon: keep the subscription a little while.
        current.linger = setTimeout(() => this.#drop(channel, current), SUBSCRIPTION_LINGER_MS);
        current.linger.unref();
      },
    };
  }

  /** Closes the subscriber connection; waiters still waiting fall back to their timers. */
  async close(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    for (const entry of this.#channels.values()) clearTimeout(entry.linger);
    this.#channels.clear();
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  #connection(): Redis | Cluster {
    if (!this.#subscriber) {
      const subscriber = this.#source.duplicate();
      subscriber.on('message', (channel: string) => this.#wake(channel));
      subscriber.on('error', (error: unknown) => this.#onError(error));
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  async #subscribe(channel: string): Promise<boolean> {
    try {
      await subscribeChannels(this.#connection(), [channel]);
      return true;
    } catch (error) {
      this.#onError(error);
      return false;
    }
  }

  #drop(channel: string, entry: Channel): void {
    if (this.#channels.get(channel) !== entry || entry.refs > 0) return;
    this.#channels.delete(channel);
    // Sent after any pending SUBSCRIBE on the same connection (both wait out a handshake the
    // same way, in order), so order is kept.
    const subscriber = this.#subscriber;
    if (subscriber)
      unsubscribeChannels(subscriber, [channel]).catch((error: unknown) => this.#onError(error));
  }

  #wake(channel: string): void {
    const entry = this.#channels.get(channel);
    if (!entry) return;
    entry.generation++;
    for (const wake of [...entry.wakers]) wake();
  }
}

function waitOn(entry: Channel, since: number, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (entry.generation !== since) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const settle = (aborted: boolean) => {
      clearTimeout(timer);
      entry.wakers.delete(wake);
      signal?.removeEventListener('abort', onAbort);
      if (aborted) reject(signal?.reason);
      else resolve();
    };
    const wake = () => settle(false);
    const onAbort = () => settle(true);
    const timer = setTimeout(wake, Math.max(0, ms));
    entry.wakers.add(wake);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
