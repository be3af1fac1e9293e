import { randomUUID } from 'node:crypto';
import { CacheCorruptEntryError, CacheUnavailableError, InvalidOptionError } from '../errors.js';
import type { AnyKeyRegistry, KeyRegistry } from '../keys/registry.js';
import type { TemplateMap, TemplateParams } from '../keys/template-types.js';
import { mget, setAll } from './batch-commands.js';
import { type BusMessage, CacheBus } from './bus.js';
import { type DecodedEntry, type EntryCodec, entryCodec, type Stored } from './codec.js';
import { MemoryTier } from './memory-tier.js';
import { CacheMetrics, type CounterName } from './metrics.js';
import type { CacheOptions, GetOptions, GetOrSetOptions, LoaderContext, SetOptions } from './options.js';
import { ReadBatcher } from './read-batcher.js';
import { type RedisClient, RedisGate } from './redis-gate.js';
import { scanAndUnlink, unlinkKeys } from './scan.js';
import { jsonSerializer } from './serializer.js';
import { StampedeGuard } from './stampede.js';

type Name<T> = keyof T & string;

/**
 * Parameters of template `N`. Distributive on purpose: with an explicit value type
 * (`cache.get<Thumb>('thumb', …)`) TypeScript cannot infer `N` and falls back to every name;
 * params must then fit one of the templates (the run-time check stays exact).
 */
type ParamsFor<T extends TemplateMap, N extends Name<T>> = N extends unknown ? TemplateParams<T[N]> : never;

/** `[name, params]` of any template: what `cached()` derives from a call's arguments. */
export type KeyRef<T extends TemplateMap> = {
  [N in Name<T>]: readonly [name: N, params: ParamsFor<T, N>];
}[Name<T>];

/** One entry of `warm()`'s loader. */
export type WarmEntry<T extends TemplateMap> = {
  [N in Name<T>]: { name: N; params: ParamsFor<T, N>; value: unknown; ttlMs?: number };
}[Name<T>];

export interface WarmOptions {
  /** Entries from the last `hours` hours (passed to the loader as `since`). @default 24 */
  hours?: number;
  /** At most this many entries. @default 10_000 */
  limit?: number;
}

type Found = DecodedEntry | undefined;
/** A Redis read that failed (unavailable, timeout, error): distinct from a miss. */
const FAILED = Symbol('failed');
type Loader<V> = (context: LoaderContext<V>) => V | Promise<V>;

interface Write {
  key: string;
  type: string;
  value: unknown;
  ttlMs: number;
  graceMs: number;
}

/**
 * A Redis cache whose keys all come from a `KeyRegistry`, with stampede protection, stale
 * values within a grace period, an optional in-memory tier, per-type metrics, and no hang
 * when Redis is down (reads miss, writes are dropped and counted, loaders still run).
 */
export class Cache<T extends TemplateMap> {
  readonly keys: KeyRegistry<T>;
  readonly metrics = new CacheMetrics();
  readonly #redis: RedisClient;
  readonly #gate: RedisGate;
  readonly #reads: ReadBatcher;
  readonly #bus: CacheBus;
  readonly #guard: StampedeGuard;
  readonly #memory: MemoryTier | undefined;
  readonly #codec: EntryCodec;
  readonly #ttlMs: number;
  readonly #graceMs: number;
  readonly #swr: boolean;
  readonly #batch: number;
  readonly #sync: boolean;
  readonly #commandTimeoutMs: number;
  readonly #options: CacheOptions<T>;

  constructor(options: CacheOptions<T>) {
    this.#options = options;
    this.keys = options.keys;
    this.#redis = options.redis;
    this.#ttlMs = positive('defaultTtlMs', options.defaultTtlMs ?? 60_000);
    this.#graceMs = nonNegative('graceMs', options.graceMs ?? 0);
    this.#batch = positive('batchSize', options.batchSize ?? 1_000);
    this.#swr = options.staleWhileRevalidate ?? false;
    this.#codec = entryCodec(options.serializer ?? jsonSerializer);
    this.#commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs ?? 250);
    this.#gate = new RedisGate(options.redis, {
      timeoutMs: this.#commandTimeoutMs,
      failureThreshold: options.breaker?.failureThreshold ?? 3,
      resetMs: options.breaker?.resetMs ?? 1_000,
    });
    this.#reads = new ReadBatcher(this.#gate, this.#batch, this.#codec.binary);
    const registry: AnyKeyRegistry = options.keys;
    this.#bus = new CacheBus(this.#gate, registry.formatDynamic('cacheEvents'), randomUUID());
    this.#guard = new StampedeGuard(this.#gate, registry, this.#bus, options.stampede);
    this.#memory = options.memory ? new MemoryTier(options.memory) : undefined;
    this.#sync = Boolean(this.#memory) && (options.sync ?? true);
    if (this.#sync) this.#bus.onMessage((m) => this.#onBus(m));
  }

  /** Is Redis usable right now (connected, breaker closed)? */
  get available(): boolean {
    return this.#gate.available;
  }

  /** Entries and approximate bytes held by the in-memory tier. */
  get memoryUsage(): { entries: number; bytes: number } {
    return { entries: this.#memory?.size ?? 0, bytes: this.#memory?.bytes ?? 0 };
  }

  /** The fresh value, or `undefined` (also when Redis is unavailable). */
  get<V = unknown, N extends Name<T> = Name<T>>(
    name: N,
    params: ParamsFor<T, N>,
    options: GetOptions = {},
  ): Promise<V | undefined> {
    return this.#lookup(name, params, options, undefined) as Promise<V | undefined>;
  }

  /** Stores a value; `false` when Redis was unavailable and the write was dropped. */
  async set<V, N extends Name<T>>(
    name: N,
    params: ParamsFor<T, N>,
    value: V,
    options: SetOptions = {},
  ): Promise<boolean> {
    return this.#write(this.#entry(this.#key(name, params), name, value, options));
  }

  /**
   * Deletes one key; `true` if it existed. Unlike reads and writes, a failed delete throws
   * (`CacheUnavailableError`, `CacheTimeoutError`): a silently lost invalidation serves wrong data.
   */
  async delete<N extends Name<T>>(name: N, params: ParamsFor<T, N>): Promise<boolean> {
    return (await this.#unlink(name, [this.#key(name, params)])) > 0;
  }

  /** Fresh values of many keys of one template, in order (`undefined` for misses). Chunked and pipelined. */
  async getMany<V = unknown, N extends Name<T> = Name<T>>(
    name: N,
    paramsList: ReadonlyArray<ParamsFor<T, N>>,
    options: GetOptions = {},
  ): Promise<Array<V | undefined>> {
    const keys = paramsList.map((p) => this.#key(name, p));
    const values: Array<V | undefined> = new Array(keys.length);
    // Without a memory tier every key goes to Redis: skip the bookkeeping.
    let fromRedis: number[] | undefined;
    let stale: Map<number, unknown> | undefined;
    let memoryHits = 0;
    if (this.#memory) {
      fromRedis = [];
      stale = new Map();
      for (let i = 0; i < keys.length; i++) {
        const mem = this.#memory.get(keys[i]!);
        if (mem?.state === 'fresh') {
          values[i] = mem.value as V;
          memoryHits++;
        } else {
          if (mem) stale.set(i, mem.value);
          fromRedis.push(i);
        }
      }
      this.#count(name, 'hits', memoryHits);
      this.#count(name, 'memoryHits', memoryHits);
      if (fromRedis.length === 0) return values;
    }
    const stored = await this.#readMany(fromRedis ? fromRedis.map((i) => keys[i]!) : keys, name);
    const now = Date.now();
    const count = fromRedis ? fromRedis.length : keys.length;
    let hits = 0;
    let staleHits = 0;
    for (let j = 0; j < count; j++) {
      const index = fromRedis ? fromRedis[j]! : j;
      const raw = stored?.[j];
      const found = raw ? this.#decode(keys[index]!, name, raw) : undefined;
      if (found && found.expiresAt > now) {
        this.#remember(keys[index]!, found);
        values[index] = found.value as V;
        hits++;
        continue;
      }
      const staleValue = found ? found.value : stale?.get(index);
      if (options.allowStale && staleValue !== undefined) {
        values[index] = staleValue as V;
        staleHits++;
      }
    }
    this.#count(name, 'hits', hits);
    this.#count(name, 'misses', count - hits);
    this.#count(name, 'staleHits', staleHits);
    return values;
  }

  /** Stores many values of one template, pipelined in chunks; returns how many reached Redis. */
  async setMany<V, N extends Name<T>>(
    name: N,
    entries: ReadonlyArray<{ params: ParamsFor<T, N>; value: V; ttlMs?: number; graceMs?: number }>,
  ): Promise<number> {
    return this.#writeMany(entries.map((e) => this.#entry(this.#key(name, e.params), name, e.value, e)));
  }

  /**
   * The cached value, or the loader's (stored for next time). Concurrent misses of one key call
   * the loader once across processes. If the loader throws and a stale value exists (within
   * `graceMs`), the stale value is returned. A loader returning `undefined` is not cached.
   */
  getOrSet<V, N extends Name<T> = Name<T>>(
    name: N,
    params: ParamsFor<T, N>,
    loader: (context: LoaderContext<V>) => V | Promise<V>,
    options: GetOrSetOptions = {},
  ): Promise<V> {
    return this.#lookup(name, params, options, loader as Loader<unknown>) as Promise<V>;
  }

  /**
   * Wraps an async function so its results are cached under the key `key(...args)` returns:
   * `cache.cached(fetchThumb, { key: (uuid) => ['thumb', { document_uuid: uuid }] })`.
   */
  cached<A extends unknown[], V>(
    fn: (...args: A) => V | Promise<V>,
    options: GetOrSetOptions & { key: (...args: A) => KeyRef<T> },
  ): (...args: A) => Promise<V> {
    return async (...args: A) => {
      const [name, params] = options.key(...args);
      return this.getOrSet<V>(name, params as never, () => fn(...args), options);
    };
  }

  /**
   * Deletes every key of every registered template with a `document_uuid` parameter for this
   * document (exact keys directly, others by SCAN). Returns how many keys were removed.
   */
  async invalidateDocument(documentUuid: string): Promise<number> {
    let removed = 0;
    const exact: Array<{ key: string; type: string }> = [];
    for (const name of this.keys.namesWithParam('document_uuid')) {
      if (this.keys.paramsOf(name).length === 1) {
        exact.push({ key: this.keys.formatDynamic(name, { document_uuid: documentUuid }), type: name });
      } else {
        removed += await this.invalidatePattern(name, { document_uuid: documentUuid } as never);
      }
    }
    for (const { key, type } of exact) removed += await this.#unlink(type, [key]);
    return removed;
  }

  /**
   * Deletes every key of template `name` whose parameters match `params` (others free), with
   * SCAN + UNLINK in batches on every master of a Cluster. Never KEYS. Returns how many.
   */
  async invalidatePattern<N extends Name<T>>(
    name: N,
    params: Partial<TemplateParams<T[N]>> = {},
  ): Promise<number> {
    const pattern = this.keys.pattern(name, params);
    const stringParams = Object.fromEntries(
      Object.entries(params)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    this.#memory?.deleteWhere((key) => this.keys.matches(key, name, params));
    if (this.#sync) this.#bus.publish({ t: 'evictMatch', m: [{ n: name, p: stringParams }] });
    try {
      if (!this.#gate.available) throw new CacheUnavailableError(this.#redis.status);
      const removed = await scanAndUnlink(this.#redis, pattern, {
        count: this.#batch,
        timeoutMs: this.#commandTimeoutMs,
        filter: (key) => this.keys.matches(key, name, params),
      });
      this.#count(name, 'deletes', removed);
      return removed;
    } catch (error) {
      this.#failed(name, 'invalidate', error);
      throw error;
    }
  }

  /**
   * Preloads recent entries (e.g. at startup): the loader returns what was used in the last
   * `hours` hours, at most `limit` entries. Returns how many entries were stored.
   */
  async warm(
    loader: (range: {
      since: Date;
      limit: number;
    }) => Iterable<WarmEntry<T>> | AsyncIterable<WarmEntry<T>> | Promise<Iterable<WarmEntry<T>>>,
    options: WarmOptions = {},
  ): Promise<{ entries: number; written: number }> {
    const limit = options.limit ?? 10_000;
    const since = new Date(Date.now() - (options.hours ?? 24) * 3_600_000);
    const source = await loader({ since, limit });
    let entries = 0;
    let written = 0;
    let pending: Write[] = [];
    for await (const e of source) {
      if (entries >= limit) break;
      entries++;
      pending.push(this.#entry(this.#key(e.name, e.params), e.name, e.value, e));
      if (pending.length >= this.#batch) {
        written += await this.#writeMany(pending);
        pending = [];
      }
    }
    if (pending.length > 0) written += await this.#writeMany(pending);
    return { entries, written };
  }

  /** Stops the pub/sub connection (the Redis client passed in stays open). */
  async close(): Promise<void> {
    await this.#bus.close();
    this.#memory?.clear();
  }

  #key(name: string, params: object): string {
    return this.keys.formatDynamic(name, params as Record<string, string>);
  }

  #hit<V>(type: string, value: V, memory: boolean): V {
    this.metrics.count(type, 'hits');
    if (memory) this.metrics.count(type, 'memoryHits');
    return value;
  }

  #count(type: string, counter: CounterName, by = 1): void {
    if (by > 0) this.metrics.count(type, counter, by);
  }

  /**
   * The hit path of `get` and `getOrSet` (`loader` given): memory tier, then one Redis read
   * whose reply settles the caller's promise directly. It runs per cache hit, so it allocates
   * no closure beyond the read's two callbacks and awaits nothing in between.
   */
  #lookup(
    name: string,
    params: object,
    options: GetOptions & GetOrSetOptions,
    loader: Loader<unknown> | undefined,
  ): Promise<unknown> {
    let key: string;
    try {
      key = this.#key(name, params);
    } catch (error) {
      return Promise.reject(error);
    }
    const mem = this.#memory?.get(key);
    if (mem?.state === 'fresh') return Promise.resolve(this.#hit(name, mem.value, true));
    return new Promise((resolve, reject) => {
      const started = performance.now();
      this.#reads.read(
        key,
        (stored) => {
          this.metrics.latency(name, 'get', performance.now() - started);
          const found = stored === null ? undefined : this.#decode(key, name, stored);
          if (found && found.expiresAt > Date.now()) {
            this.#remember(key, found);
            resolve(this.#hit(name, found.value, false));
            return;
          }
          const stale = found ?? mem;
          try {
            resolve(this.#missed(name, key, stale, options, loader));
          } catch (error) {
            reject(error);
          }
        },
        (error) => {
          this.#failed(name, 'get', error);
          // Redis failed: only the memory tier can offer a stale value.
          resolve(this.#missed(name, key, mem, options, loader));
        },
      );
    });
  }

  /** No fresh value: a stale one (`get` with `allowStale`), or the loader's (`getOrSet`). */
  #missed(
    name: string,
    key: string,
    stale: { value: unknown } | undefined,
    options: GetOptions & GetOrSetOptions,
    loader: Loader<unknown> | undefined,
  ): unknown {
    this.#count(name, 'misses');
    if (!loader) {
      if (!(options.allowStale && stale)) return undefined;
      this.#count(name, 'staleHits');
      return stale.value;
    }
    const refresh = this.#load(key, name, loader, stale?.value, options);
    if (stale && (options.staleWhileRevalidate ?? this.#swr)) {
      refresh.catch((error: unknown) => this.#failed(name, 'revalidate', error));
      this.#count(name, 'staleHits');
      return stale.value;
    }
    return refresh.catch((error: unknown) => {
      if (!stale) throw error;
      this.#count(name, 'staleHits');
      this.#report(name, 'load', error);
      return stale.value;
    });
  }

  /** One read for code off the hit path (stampede double-checks). */
  #read(key: string, type: string): Promise<Found | typeof FAILED> {
    const started = performance.now();
    return this.#reads.get(key).then(
      (stored) => {
        this.metrics.latency(type, 'get', performance.now() - started);
        return stored === null ? undefined : this.#decode(key, type, stored);
      },
      (error: unknown) => {
        this.#failed(type, 'get', error);
        return FAILED;
      },
    );
  }

  async #readMany(keys: string[], type: string): Promise<Array<Stored | null> | undefined> {
    const started = performance.now();
    try {
      const chunks = Math.ceil(keys.length / this.#batch);
      const binary = this.#codec.binary;
      const result = await this.#gate.run('getMany', (r) => mget(r, keys, this.#batch, binary), chunks);
      this.metrics.latency(type, 'getMany', performance.now() - started);
      return result;
    } catch (error) {
      this.#failed(type, 'getMany', error);
      return undefined;
    }
  }

  #decode(key: string, type: string, stored: Stored): Found {
    try {
      const entry = this.#codec.decode(stored);
      if (!entry) throw new Error('no COVINA cache envelope');
      return entry;
    } catch (cause) {
      this.#failed(type, 'decode', new CacheCorruptEntryError(key, { cause }));
      return undefined;
    }
  }

  #remember(key: string, found: DecodedEntry): void {
    // Without an explicit grace we cannot know this entry's; keep it as long as it is fresh.
    this.#memory?.set(key, found.value, found.expiresAt, found.expiresAt + this.#graceMs, found.bytes);
  }

  #entry(key: string, type: string, value: unknown, options: SetOptions): Write {
    return {
      key,
      type,
      value,
      ttlMs: positive('ttlMs', options.ttlMs ?? this.#ttlMs),
      graceMs: nonNegative('graceMs', options.graceMs ?? this.#graceMs),
    };
  }

  async #load<V>(
    key: string,
    type: string,
    loader: (context: LoaderContext<V>) => V | Promise<V>,
    stale: V | undefined,
    options: SetOptions,
  ): Promise<V> {
    const readFresh = async () => {
      const found = await this.#read(key, type);
      return found !== FAILED && found && found.expiresAt > Date.now()
        ? { value: found.value as V }
        : undefined;
    };
    return this.#guard.run(key, readFresh, async () => {
      this.#count(type, 'loads');
      let value: V;
      try {
        value = await loader({ key, stale });
      } catch (error) {
        this.#count(type, 'loadErrors');
        throw error;
      }
      if (value !== undefined) await this.#write(this.#entry(key, type, value, options));
      return value;
    });
  }

  async #write(write: Write): Promise<boolean> {
    return (await this.#writeMany([write])) === 1;
  }

  /** Serializes, fills the memory tier, and sends SET PX in pipelined chunks. */
  async #writeMany(writes: readonly Write[]): Promise<number> {
    const now = Date.now();
    const commands: Array<[key: string, stored: Stored, pxMs: number]> = [];
    for (const w of writes) {
      const expiresAt = now + w.ttlMs;
      const stored = this.#codec.encode(w.value, expiresAt);
      this.#memory?.set(w.key, w.value, expiresAt, expiresAt + w.graceMs, stored.length, now);
      commands.push([w.key, stored, w.ttlMs + w.graceMs]);
    }
    if (this.#sync) this.#bus.publish({ t: 'evict', k: writes.map((w) => w.key) });
    const type = writes[0]?.type ?? 'unknown';
    if (!this.#gate.available) {
      for (const w of writes) this.#count(w.type, 'droppedWrites');
      this.#report(type, 'set', new Error('Redis unavailable: write dropped'));
      return 0;
    }
    try {
      const chunks = Math.ceil(commands.length / this.#batch);
      await this.#gate.run('set', (r) => setAll(r, commands, this.#batch), chunks);
      for (const w of writes) this.#count(w.type, 'sets');
      return writes.length;
    } catch (error) {
      for (const w of writes) this.#count(w.type, 'droppedWrites');
      this.#failed(type, 'set', error);
      return 0;
    }
  }

  /** UNLINK (throws on failure, see `delete`). */
  async #unlink(type: string, keys: string[]): Promise<number> {
    this.#evictLocal(keys);
    try {
      const chunks = Math.ceil(keys.length / this.#batch);
      const removed = await this.#gate.run('unlink', (r) => unlinkKeys(r, keys, this.#batch), chunks);
      this.#count(type, 'deletes', removed);
      return removed;
    } catch (error) {
      this.#failed(type, 'delete', error);
      throw error;
    }
  }

  #evictLocal(keys: string[]): void {
    if (!this.#memory) return;
    for (const key of keys) this.#memory.delete(key);
    if (this.#sync) this.#bus.publish({ t: 'evict', k: keys });
  }

  #onBus(message: BusMessage): void {
    const memory = this.#memory;
    if (!memory) return;
    if (message.t === 'evict') for (const key of message.k) memory.delete(key);
    if (message.t === 'evictMatch') {
      for (const { n, p } of message.m) {
        if (this.keys.has(n)) memory.deleteWhere((key) => this.keys.matches(key, n, p as never));
      }
    }
  }

  #failed(type: string, operation: string, error: unknown): void {
    this.#count(type, 'errors');
    this.#report(type, operation, error);
  }

  #report(type: string, operation: string, error: unknown): void {
    this.#options.onError?.({ error, operation, type });
    this.#options.logger?.warn({ err: error, operation, type }, 'covina cache: failure absorbed');
  }
}

function positive(field: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidOptionError(field, value, 'a positive number');
  return value;
}

function nonNegative(field: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new InvalidOptionError(field, value, 'a number >= 0');
  return value;
}
