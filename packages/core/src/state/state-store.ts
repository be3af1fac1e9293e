import { deleteBatch, deleteOnNode, readBatch, writeBatch } from './batch.js';
import {
  checkCheckpoint,
  type StateCheckpoint,
  type StateRestoreOptions,
  type StateRestoreResult,
} from './checkpoint.js';
import { StateValidationError } from './errors.js';
import { checkHealth } from './health.js';
import { isWellFormedKey } from './key-codec.js';
import { StateKeyspace, type StateScope } from './keyspace.js';
import { measureMemory } from './memory-usage.js';
import { STATE_DEFAULTS, type StateScanOptions, type StateStoreOptions } from './options.js';
import { toStateError } from './redis-errors.js';
import type { StateHealth, StateMemoryUsage, StateMemoryUsageOptions } from './reports.js';
import { ScanBudget } from './scan.js';
import { restoreCheckpoint, takeCheckpoint } from './snapshot.js';
import { type StateStoreStats, StatsRecorder } from './stats.js';
import { isCluster, type RedisClient } from './topology.js';
import { checkKey, checkPrefix, describe, positiveInteger, requiredTtl } from './validate.js';
import { type StateValue, toBuffer } from './value.js';

/** Entries for `batchPut`: a Map, an array of `[key, value]` pairs, or a plain object. */
export type StateEntries = Iterable<readonly [string, StateValue]> | Readonly<Record<string, StateValue>>;

/** Options of `batchPut`. */
export interface StateBatchPutOptions {
  /**
   * TTL of every entry written, in milliseconds.
   * @default options.defaultTtlMs (no expiry when that is unset)
   */
  ttlMs?: number;
}

/**
 * A keyed byte store on Redis, one namespace per instance: `put`/`get` with TTLs, atomic
 * conditional writes, batches, prefix listing by SCAN, checkpoints, and local stats.
 *
 * Keys are any non-empty string; values are bytes (strings are stored as UTF-8) and come back
 * as Buffers, byte for byte. Works on a single server and on Redis Cluster (a namespace's keys
 * spread over every master; `listKeys`, `count`, `clear`, `checkpoint` and `memoryUsage` visit
 * each one). On a single server each batch call is one MULTI transaction, so it is applied all
 * or nothing; on a Cluster each key is written atomically. Needs Redis >= 6.2.
 *
 * Bad input throws `StateValidationError` / `StatePayloadTooLargeError` before anything is
 * sent; Redis failures throw `StateUnavailableError` / `StateCommandError` with the client's
 * error as `cause`.
 */
export class StateStore {
  /** The namespace given to the constructor. */
  readonly namespace: string;
  readonly #redis: RedisClient;
  readonly #keyspace: StateKeyspace;
  readonly #scope: StateScope;
  readonly #maxValueBytes: number;
  readonly #defaultTtlMs: number | undefined;
  readonly #batchSize: number;
  readonly #scanTimeBudgetMs: number;
  readonly #stats = new StatsRecorder();

  constructor(options: StateStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new StateValidationError('options', 'must be an object with at least `redis` and `namespace`');
    }
    const { redis, namespace } = options;
    if (typeof (redis as Partial<RedisClient> | undefined)?.scan !== 'function') {
      throw new StateValidationError('options.redis', 'must be an ioredis Redis or Cluster client');
    }
    if (typeof namespace !== 'string' || namespace.length === 0 || !isWellFormedKey(namespace)) {
      throw new StateValidationError('options.namespace', 'must be a non-empty, well-formed string');
    }
    this.namespace = namespace;
    this.#redis = redis;
    this.#maxValueBytes =
      positiveInteger(options.maxValueBytes, 'options.maxValueBytes') ?? STATE_DEFAULTS.maxValueBytes;
    this.#defaultTtlMs = positiveInteger(options.defaultTtlMs, 'options.defaultTtlMs');
    this.#batchSize = positiveInteger(options.batchSize, 'options.batchSize') ?? STATE_DEFAULTS.batchSize;
    this.#scanTimeBudgetMs =
      positiveInteger(options.scanTimeBudgetMs, 'options.scanTimeBudgetMs') ??
      STATE_DEFAULTS.scanTimeBudgetMs;
    const registry = StateKeyspace.registry(options.keys, options.prefix ?? STATE_DEFAULTS.prefix);
    this.#keyspace = new StateKeyspace(registry, namespace);
    this.#scope = {
      redis,
      keyspace: this.#keyspace,
      namespace,
      batchSize: this.#batchSize,
      scanCount: positiveInteger(options.scanCount, 'options.scanCount') ?? STATE_DEFAULTS.scanCount,
    };
  }

  /** Stores `value` under `key`, replacing any value and TTL (`defaultTtlMs` applies when set). */
  async put(key: string, value: StateValue): Promise<void> {
    const redisKey = this.#redisKey(key, 'key');
    const bytes = toBuffer(value, 'value', this.#maxValueBytes);
    const ttlMs = this.#defaultTtlMs;
    await this.#run('put', () =>
      ttlMs === undefined ? this.#redis.set(redisKey, bytes) : this.#redis.set(redisKey, bytes, 'PX', ttlMs),
    );
    this.#stats.bytesWritten(bytes.byteLength);
  }

  /** Stores `value` under `key` for `ttlMs` milliseconds, replacing any value and TTL. */
  async putWithTtl(key: string, value: StateValue, ttlMs: number): Promise<void> {
    const redisKey = this.#redisKey(key, 'key');
    const bytes = toBuffer(value, 'value', this.#maxValueBytes);
    const ttl = requiredTtl(ttlMs, 'ttlMs');
    await this.#run('putWithTtl', () => this.#redis.set(redisKey, bytes, 'PX', ttl));
    this.#stats.bytesWritten(bytes.byteLength);
  }

  /** The value under `key` (the exact bytes stored), or `null`. */
  async get(key: string): Promise<Buffer | null> {
    const redisKey = this.#redisKey(key, 'key');
    const value = await this.#run('get', () => this.#redis.getBuffer(redisKey));
    this.#countReads([value]);
    return value;
  }

  /** True when `key` holds a value. */
  async contains(key: string): Promise<boolean> {
    const redisKey = this.#redisKey(key, 'key');
    return (await this.#run('contains', () => this.#redis.exists(redisKey))) === 1;
  }

  /** Deletes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    const redisKey = this.#redisKey(key, 'key');
    return (await this.#run('delete', () => this.#redis.unlink(redisKey))) === 1;
  }

  /** Milliseconds until `key` expires: `Infinity` when it never does, `null` when it does not exist. */
  async ttl(key: string): Promise<number | null> {
    const redisKey = this.#redisKey(key, 'key');
    const ms = await this.#run('ttl', () => this.#redis.pttl(redisKey));
    if (ms === -2) return null;
    return ms === -1 ? Number.POSITIVE_INFINITY : ms;
  }

  /**
   * Stores `value` only if `key` holds nothing (one atomic `SET NX`); true when it was stored.
   * `ttlMs` defaults to `defaultTtlMs` (no expiry when that is unset).
   */
  async setIfNotExists(key: string, value: StateValue, ttlMs?: number): Promise<boolean> {
    const redisKey = this.#redisKey(key, 'key');
    const bytes = toBuffer(value, 'value', this.#maxValueBytes);
    const ttl = ttlMs === undefined ? this.#defaultTtlMs : requiredTtl(ttlMs, 'ttlMs');
    const reply = await this.#run('setIfNotExists', () =>
      ttl === undefined
        ? this.#redis.set(redisKey, bytes, 'NX')
        : this.#redis.set(redisKey, bytes, 'PX', ttl, 'NX'),
    );
    if (reply === 'OK') this.#stats.bytesWritten(bytes.byteLength);
    return reply === 'OK';
  }

  /** Removes `key` and returns what it held (one atomic `GETDEL`), or `null`. */
  async getAndDelete(key: string): Promise<Buffer | null> {
    const redisKey = this.#redisKey(key, 'key');
    const value = await this.#run('getAndDelete', () => this.#redis.getdelBuffer(redisKey));
    this.#countReads([value]);
    return value;
  }

  /**
   * Stores many entries (later duplicates win). Every entry is checked before anything is
   * sent; on a single server the whole batch is one MULTI transaction.
   */
  async batchPut(entries: StateEntries, options: StateBatchPutOptions = {}): Promise<void> {
    const pairs = this.#pairs(entries);
    const ttl =
      options.ttlMs === undefined ? this.#defaultTtlMs : requiredTtl(options.ttlMs, 'options.ttlMs');
    if (pairs.length === 0) return;
    await this.#run('batchPut', () => writeBatch(this.#redis, pairs, ttl, this.#batchSize));
    this.#stats.bytesWritten(pairs.reduce((sum, [, value]) => sum + value.byteLength, 0));
  }

  /**
   * The values of `keys`, in the same order (`null` where none). On a single server the read
   * is one MULTI, so the values are a consistent snapshot.
   */
  async batchGet(keys: readonly string[]): Promise<Array<Buffer | null>> {
    const redisKeys = this.#keyList(keys);
    if (redisKeys.length === 0) return [];
    const values = await this.#run('batchGet', () => readBatch(this.#redis, redisKeys, this.#batchSize));
    this.#countReads(values);
    return values;
  }

  /** Deletes `keys`; returns how many existed. On a single server this is one transaction. */
  async batchDelete(keys: readonly string[]): Promise<number> {
    const redisKeys = this.#keyList(keys);
    if (redisKeys.length === 0) return 0;
    return this.#run('batchDelete', () => deleteBatch(this.#redis, redisKeys, this.#batchSize));
  }

  /**
   * Every key of the namespace starting with `prefix`, sorted. SCAN-based (never KEYS), over
   * every Cluster master, bounded by `scanTimeBudgetMs`; `*`, `?`, `[` in `prefix` match only
   * themselves. For namespaces too large to hold in memory, iterate `scanKeys()`.
   */
  async listKeys(prefix = '', options: StateScanOptions = {}): Promise<string[]> {
    checkPrefix(prefix);
    const budget = this.#budget('listKeys', options);
    return this.#run('listKeys', async () => {
      const found = new Set<string>();
      for await (const page of this.#pages(budget, prefix)) for (const key of page.keys) found.add(key);
      return [...found].sort();
    });
  }

  /**
   * Streams the keys starting with `prefix`, page by page, in no particular order. Like SCAN,
   * a key may be reported twice if Redis resizes its table meanwhile. No time budget unless
   * `options.timeBudgetMs` is given (the time your loop body takes counts towards it).
   */
  async *scanKeys(prefix = '', options: StateScanOptions = {}): AsyncGenerator<string, void, undefined> {
    checkPrefix(prefix);
    const ms = positiveInteger(options.timeBudgetMs, 'options.timeBudgetMs') ?? Number.POSITIVE_INFINITY;
    const budget = new ScanBudget('scanKeys', this.namespace, ms, options.signal);
    const started = performance.now();
    let failed = false;
    try {
      for await (const page of this.#pages(budget, prefix)) yield* page.keys;
    } catch (error) {
      failed = true;
      throw toStateError(error, 'scanKeys', this.namespace);
    } finally {
      this.#stats.record('scanKeys', performance.now() - started, failed);
    }
  }

  /** Number of keys in the namespace (a SCAN over every master: O(keys)). */
  async count(options: StateScanOptions = {}): Promise<number> {
    const budget = this.#budget('count', options);
    return this.#run('count', async () => {
      const found = new Set<string>();
      for await (const page of this.#pages(budget)) for (const key of page.redisKeys) found.add(key);
      return found.size;
    });
  }

  /** Deletes every key of the namespace (and nothing else); returns how many. */
  async clear(options: StateScanOptions = {}): Promise<number> {
    const budget = this.#budget('clear', options);
    const cluster = isCluster(this.#redis);
    return this.#run('clear', async () => {
      let deleted = 0;
      for await (const page of this.#pages(budget)) {
        deleted += await deleteOnNode(page.node, page.redisKeys, cluster, this.#batchSize);
      }
      return deleted;
    });
  }

  /**
   * A snapshot of the namespace: every entry with its value and absolute expiry (server
   * clock), each entry read atomically. Entries present for the whole call are all in it;
   * entries written or deleted meanwhile may or may not be. For one point in time across keys,
   * pause writers while it runs. Values are held in memory.
   */
  async checkpoint(options: StateScanOptions = {}): Promise<StateCheckpoint> {
    const budget = this.#budget('checkpoint', options);
    const checkpoint = await this.#run('checkpoint', () => takeCheckpoint(this.#scope, budget));
    this.#stats.bytesRead(checkpoint.entries.reduce((sum, e) => sum + e.value.byteLength, 0));
    return checkpoint;
  }

  /**
   * Writes a checkpoint back, into an empty or a populated namespace (this store's, whatever
   * namespace the checkpoint came from). Entries whose expiry has passed are skipped; the
   * others keep their absolute expiry. `replace` (default) also deletes keys the checkpoint
   * lacks. On a single server, writes and deletes are one MULTI transaction: readers see the
   * namespace before or after, never half restored.
   */
  async restore(
    checkpoint: StateCheckpoint,
    options: StateRestoreOptions & StateScanOptions = {},
  ): Promise<StateRestoreResult> {
    const entries = checkCheckpoint(checkpoint, this.#maxValueBytes);
    const mode = options.mode ?? 'replace';
    if (mode !== 'replace' && mode !== 'merge') {
      throw new StateValidationError(
        'options.mode',
        `must be 'replace' or 'merge' (got ${JSON.stringify(mode)})`,
      );
    }
    const writes = entries.map((e) => ({
      ...e,
      redisKey: this.#keyspace.redisKey(e.key, 'checkpoint.entries[].key'),
    }));
    const budget = this.#budget('restore', options);
    const { bytes, ...result } = await this.#run('restore', () =>
      restoreCheckpoint(this.#scope, writes, mode === 'replace', budget),
    );
    this.#stats.bytesWritten(bytes);
    return result;
  }

  /** Counters of this instance since it was created or `resetStats()` ran (no Redis call). */
  stats(): StateStoreStats {
    return this.#stats.snapshot();
  }

  /** Starts the counters of `stats()` again from zero. */
  resetStats(): void {
    this.#stats.reset();
  }

  /**
   * Redis memory used by the namespace, from MEMORY USAGE: summed over every key when there
   * are at most `sampleSize`, else measured on an even spread of `sampleSize` keys and
   * extrapolated.
   */
  async memoryUsage(options: StateMemoryUsageOptions = {}): Promise<StateMemoryUsage> {
    const sampleSize =
      options.sampleSize === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : (positiveInteger(options.sampleSize, 'options.sampleSize') ?? 1000);
    const budget = this.#budget('memoryUsage', options);
    return this.#run('memoryUsage', () => measureMemory(this.#scope, sampleSize, budget));
  }

  /** PINGs every server (each Cluster master) within `timeoutMs` (default 1000); never throws. */
  async healthCheck(options: { timeoutMs?: number } = {}): Promise<StateHealth> {
    return checkHealth(this.#redis, positiveInteger(options.timeoutMs, 'options.timeoutMs') ?? 1000);
  }

  /** Times `fn`, counts it, and turns Redis failures into typed errors. */
  async #run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      this.#stats.record(operation, performance.now() - started, false);
      return result;
    } catch (error) {
      this.#stats.record(operation, performance.now() - started, true);
      throw toStateError(error, operation, this.namespace);
    }
  }

  #redisKey(key: unknown, field: string): string {
    return this.#keyspace.redisKey(checkKey(key, field), field);
  }

  #keyList(keys: readonly string[]): string[] {
    if (!Array.isArray(keys))
      throw new StateValidationError('keys', `must be an array (got ${describe(keys)})`);
    return keys.map((key, i) => this.#redisKey(key, `keys[${i}]`));
  }

  #pairs(entries: StateEntries): Array<[string, Buffer]> {
    if (typeof entries !== 'object' || entries === null) {
      throw new StateValidationError(
        'entries',
        `must be a Map, an array of [key, value] or an object (got ${describe(entries)})`,
      );
    }
    const pairs: Iterable<unknown> = Symbol.iterator in entries ? entries : Object.entries(entries);
    const out: Array<[string, Buffer]> = [];
    for (const pair of pairs) {
      const field = `entries[${out.length}]`;
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new StateValidationError(field, 'must be a [key, value] pair');
      out.push([
        this.#redisKey(pair[0], `${field}.key`),
        toBuffer(pair[1], `${field}.value`, this.#maxValueBytes),
      ]);
    }
    return out;
  }

  #budget(operation: string, options: StateScanOptions): ScanBudget {
    const ms = positiveInteger(options.timeBudgetMs, 'options.timeBudgetMs') ?? this.#scanTimeBudgetMs;
    return new ScanBudget(operation, this.namespace, ms, options.signal);
  }

  #pages(budget: ScanBudget, prefix = '') {
    return this.#keyspace.pages(this.#redis, budget, this.#scope.scanCount, prefix);
  }

  #countReads(values: ReadonlyArray<Buffer | null>): void {
    let hits = 0;
    let bytes = 0;
    for (const value of values) {
      if (value === null) continue;
      hits++;
      bytes += value.byteLength;
    }
    this.#stats.reads(hits, values.length - hits, bytes);
  }
}
