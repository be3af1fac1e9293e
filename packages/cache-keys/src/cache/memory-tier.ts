export interface MemoryTierOptions {
  /**
   * Most entries kept; the least recently used go first.
   * @default 10_000
   */
  maxEntries?: number;
  /**
   * Most bytes kept (measured as the serialized length of each value).
   * @default Infinity
   */
  maxBytes?: number;
  /**
   * Longest an entry lives in memory, whatever its cache TTL: other processes may change the
   * value in Redis, and this bounds how long this process can miss that.
   * @default 60_000
   */
  ttlMs?: number;
}

interface MemoryEntry {
  value: unknown;
  /** Logical expiry of the cached value (same as in Redis). */
  expiresAt: number;
  /** Kept (as stale) until here: expiresAt + grace. */
  staleUntil: number;
  /** Dropped from memory at this time even if the value is still fresh. */
  memoryUntil: number;
  bytes: number;
}

export type MemoryLookup =
  | { state: 'fresh'; value: unknown; expiresAt: number }
  | { state: 'stale'; value: unknown; expiresAt: number }
  | undefined;

/**
 * A bounded LRU in front of Redis. A `Map` keeps insertion order, so moving an entry to the
 * end on each hit makes the first key the least recently used.
 */
export class MemoryTier {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  #bytes = 0;

  constructor(options: MemoryTierOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#ttlMs = options.ttlMs ?? 60_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string, now = Date.now()): MemoryLookup {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (now >= entry.staleUntil) {
      this.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    const fresh = now < entry.expiresAt && now < entry.memoryUntil;
    return { state: fresh ? 'fresh' : 'stale', value: entry.value, expiresAt: entry.expiresAt };
  }

  set(
    key: string,
    value: unknown,
    expiresAt: number,
    staleUntil: number,
    bytes: number,
    now = Date.now(),
  ): void {
    if (bytes > this.#maxBytes) return;
    this.delete(key);
    this.#entries.set(key, { value, expiresAt, staleUntil, memoryUntil: now + this.#ttlMs, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }

  /** Drops every entry whose key satisfies `predicate`; returns how many. */
  deleteWhere(predicate: (key: string) => boolean): number {
    let count = 0;
    for (const key of [...this.#entries.keys()]) {
      if (predicate(key) && this.delete(key)) count++;
    }
    return count;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
