import type { Redis } from 'ioredis';

/**
 * Learns which keys change, through server-assisted client tracking in broadcast mode
 * (`CLIENT TRACKING on REDIRECT <id> BCAST PREFIX …`): Redis reports every key written under the
 * prefixes, by anyone, on a subscriber connection. Nothing is configured on the server and no
 * key is written.
 *
 * Redis batches broadcast reports and sends them before it sleeps, after the replies of the
 * commands it just ran. So a reply does not prove the reports of earlier writes were sent;
 * `barrier()` pings the subscriber twice in a row: once the second pong is in, every write
 * executed before the first ping has been reported.
 */
export class ChangeTracker {
  /** Keys reported since they were last taken (latin1 text of the bytes → bytes). */
  readonly dirty = new Map<string, Buffer>();
  #broken: string | null = null;

  private constructor(private readonly subscriber: Redis) {}

  /**
   * Starts tracking `prefixes` on the server `node` talks to. `tracking` is the connection that
   * owns the tracking state; keep it open (and use it for reads) for as long as tracking runs.
   */
  static async start(node: Redis, tracking: Redis, prefixes: readonly string[]): Promise<ChangeTracker> {
    const subscriber = node.duplicate({
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    const tracker = new ChangeTracker(subscriber);
    subscriber.on('error', () => {});
    await subscriber.connect();
    const id = String(await subscriber.client('ID'));
    subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer[] | null) => {
      if (!Array.isArray(message)) {
        tracker.#broken = 'the dataset was flushed';
        return;
      }
      for (const key of message) tracker.dirty.set(key.toString('latin1'), key);
    });
    subscriber.on('close', () => {
      tracker.#broken ??= 'the change-tracking connection closed';
    });
    tracking.on('close', () => {
      tracker.#broken ??= 'the tracking connection closed';
    });
    await subscriber.subscribe('__redis__:invalidate');
    const args = ['TRACKING', 'on', 'REDIRECT', id, 'BCAST'];
    for (const prefix of disjointPrefixes(prefixes)) args.push('PREFIX', prefix);
    await tracking.call('CLIENT', ...args);
    return tracker;
  }

  /** Why the reports can no longer be trusted (a dropped connection, a flush), or null. */
  get broken(): string | null {
    return this.#broken;
  }

  /** Takes the dirty keys (reports arriving from now on start a new set). */
  take(): Buffer[] {
    const keys = [...this.dirty.values()];
    this.dirty.clear();
    return keys;
  }

  /** Forgets reports of these keys: call it when sending the command that reads them. */
  forget(keys: readonly Buffer[]): void {
    for (const key of keys) this.dirty.delete(key.toString('latin1'));
  }

  /** Resolves once every write executed before this call has been reported (see class doc). */
  async barrier(rounds = 2): Promise<void> {
    for (let i = 0; i < rounds; i++) await this.subscriber.ping();
  }

  async stop(): Promise<void> {
    this.subscriber.disconnect();
  }
}

/** Redis refuses overlapping tracking prefixes: keep the shortest of each family. */
export function disjointPrefixes(prefixes: readonly string[]): string[] {
  const kept: string[] = [];
  for (const prefix of [...new Set(prefixes)].sort((a, b) => a.length - b.length)) {
    if (!kept.some((k) => prefix.startsWith(k))) kept.push(prefix);
  }
  return kept;
}
