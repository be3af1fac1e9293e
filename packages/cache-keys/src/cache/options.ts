import type { KeyRegistry } from '../keys/registry.js';
import type { TemplateMap } from '../keys/template-types.js';
import type { MemoryTierOptions } from './memory-tier.js';
import type { RedisClient } from './redis-gate.js';
import type { BinarySerializer, Serializer } from './serializer.js';
import type { StampedeOptions } from './stampede.js';

/** What the cache reports when something fails that it absorbs (Redis down, corrupt entry…). */
export interface CacheErrorEvent {
  error: unknown;
  /** `get`, `set`, `getMany`, `load`, `invalidate`… */
  operation: string;
  /** Key type (template name) concerned. */
  type?: string;
}

/** A pino-compatible logger (only `warn` is used). */
export interface CacheLogger {
  warn(object: object, message?: string): void;
}

export interface CacheOptions<T extends TemplateMap> {
  /** An ioredis `Redis` or `Cluster` client; the cache never closes it. */
  redis: RedisClient;
  /** The key registry every cache key comes from. */
  keys: KeyRegistry<T>;
  /**
   * How long a value stays fresh when no `ttlMs` is given.
   * @default 60_000
   */
  defaultTtlMs?: number;
  /**
   * How long after expiry a value is kept (as stale) to be served when the loader or Redis
   * fails, or while it is revalidated. Redis keeps each key `ttl + grace`.
   * @default 0
   */
  graceMs?: number;
  /**
   * Serve a stale value at once and reload it in the background (else stale values are only
   * served when the reload fails).
   * @default false
   */
  staleWhileRevalidate?: boolean;
  /**
   * How values are stored: a text serializer (strings) or a binary one (bytes, e.g.
   * `v8Serializer`, which keeps Buffers, Dates, Maps… as they are).
   * @default jsonSerializer
   */
  serializer?: Serializer | BinarySerializer;
  /**
   * Longest wait for one Redis command before it counts as a miss (reads) or a dropped write.
   * @default 250
   */
  commandTimeoutMs?: number;
  /**
   * Circuit breaker: after `failureThreshold` consecutive Redis failures, skip Redis for
   * `resetMs`, then try again.
   * @default { failureThreshold: 3, resetMs: 1_000 }
   */
  breaker?: { failureThreshold?: number; resetMs?: number };
  /**
   * A bounded in-process first tier (LRU), or `false` for none.
   * @default false
   */
  memory?: MemoryTierOptions | false;
  /**
   * Tell other `Cache` instances (pub/sub) about writes and invalidations so their memory
   * tiers drop old values. Only used with `memory`.
   * @default true
   */
  sync?: boolean;
  /**
   * Stampede protection settings.
   * @default { lockTtlMs: 10_000, waitTimeoutMs: 5_000, distributed: true }
   */
  stampede?: StampedeOptions;
  /**
   * Keys per MGET / pipeline chunk in `getMany` and `setMany`, and per SCAN/UNLINK batch.
   * @default 1_000
   */
  batchSize?: number;
  /**
   * Called for every failure the cache absorbs.
   * @default undefined
   */
  onError?: (event: CacheErrorEvent) => void;
  /**
   * Receives a warning per absorbed failure (rate: one per failure; pass a sampled logger if needed).
   * @default undefined
   */
  logger?: CacheLogger;
}

export interface SetOptions {
  /** Freshness of this value. @default the cache's `defaultTtlMs` */
  ttlMs?: number;
  /** Grace period of this value. @default the cache's `graceMs` */
  graceMs?: number;
}

export interface GetOptions {
  /** Return a stale value (within its grace period) instead of `undefined`. @default false */
  allowStale?: boolean;
}

export interface GetOrSetOptions extends SetOptions {
  /** Overrides the cache's `staleWhileRevalidate` for this call. */
  staleWhileRevalidate?: boolean;
}

/** Passed to loaders. */
export interface LoaderContext<V> {
  /** The Redis key being loaded. */
  key: string;
  /** The stale value, if one is still within its grace period. */
  stale: V | undefined;
}
