import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import type { CompressionAlgorithm } from './codec/blob.js';
import { ValidationError } from './errors.js';
import type { KeyFormatter } from './keys.js';
import { checkKeyPart, checkPositiveInt } from './validate.js';

export interface PipelineStoreOptions {
  /** The client (a `Redis` or a `Cluster`); the store never closes it. */
  redis: Redis | Cluster;
  /** The pipeline's name: the hash tag of all its keys. Letters, digits, `_-.~`. */
  pipeline: string;
  /**
   * Key registry to format keys with (its prefix isolates tenants and tests).
   * @default createKeyRegistry({ prefix })
   */
  keys?: KeyFormatter;
  /**
   * Key prefix, when `keys` is not given.
   * @default 'covina'
   */
  prefix?: string;
  /**
   * Prepended to every generated id (PartitionedPipeline uses it to route by id).
   * @default ''
   */
  idPrefix?: string;
  /**
   * Lease duration of a claim, in ms (a worker extends it while it works).
   * @default 30_000
   */
  leaseMs?: number;
  /**
   * Attempts before a task fails for good, when the task does not say.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * Stalls a task may survive, when the task does not say: a stall is an attempt lost with its
   * worker (the lease expired, or the worker was declared dead). One more fails the task for
   * good with the reason "stalled N times", whatever attempts remain. Stalls always count as
   * attempts too.
   * @default unlimited (only `maxAttempts` bounds them)
   */
  maxStalls?: number;
  /** Retry delays: `min(maxMs, baseMs * 2^(attempt-1))`, the second half of it random (jitter). */
  backoff?: {
    /** @default 1000 */
    baseMs?: number;
    /** @default 300_000 */
    maxMs?: number;
  };
  /**
   * How long completed and cancelled tasks stay readable before `cleanup()` removes them, in ms.
   * Completed batches (with their files) are kept as long.
   * @default 86_400_000 (24 h)
   */
  retentionMs?: number;
  /**
   * How long tasks failed for good stay in the dead-letter set, in ms.
   * @default 604_800_000 (7 days)
   */
  deadLetterRetentionMs?: number;
  /**
   * Largest payload accepted (its JSON text, in bytes); larger ones are refused.
   * @default 1_048_576
   */
  maxPayloadBytes?: number;
  /**
   * Largest result accepted (its JSON text, in bytes); larger ones are refused.
   * @default 16_777_216
   */
  maxResultBytes?: number;
  /**
   * Payloads and results up to this size (JSON bytes) live inside the task record (one read);
   * larger ones in a separate hash, compressed above `compression.thresholdBytes`.
   * @default 512
   */
  inlineBytes?: number;
  /** Compression of large payloads and results (node:zlib). */
  compression?: {
    /** @default 'deflate' */
    algorithm?: CompressionAlgorithm;
    /** @default 1024 */
    thresholdBytes?: number;
  };
  /**
   * Approximate length the events stream is capped at (`XADD MAXLEN ~`).
   * @default 10_000
   */
  eventStreamMaxLength?: number;
  /**
   * `addFileToBatch` returns the stored file with the same content hash instead of adding one.
   * @default false
   */
  dedupeByHash?: boolean;
  /**
   * Tasks per round trip of `addTasks` (each chunk is written atomically).
   * @default 500
   */
  bulkChunkSize?: number;
  /**
   * Failed attempts kept per task in its error history.
   * @default 20
   */
  errorHistoryLimit?: number;
  /**
   * Default worker id of claims made through this store.
   * @default `<hostname>-<pid>-<random>`
   */
  workerId?: string;
}

export interface ResolvedPipelineOptions {
  pipeline: string;
  idPrefix: string;
  leaseMs: number;
  maxAttempts: number;
  maxStalls: number | undefined;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retentionMs: number;
  deadLetterRetentionMs: number;
  maxPayloadBytes: number;
  maxResultBytes: number;
  inlineBytes: number;
  compression: CompressionAlgorithm;
  compressionThresholdBytes: number;
  eventStreamMaxLength: number;
  dedupeByHash: boolean;
  bulkChunkSize: number;
  errorHistoryLimit: number;
  workerId: string;
}

const ALGORITHMS: readonly CompressionAlgorithm[] = ['deflate', 'gzip', 'brotli', 'none'];

function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_') || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Checks every option (a `ValidationError` names the first bad one) and fills the defaults. */
export function resolveOptions(options: PipelineStoreOptions): ResolvedPipelineOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'must be an object');
  }
  const int = (field: string, value: number | undefined, fallback: number, min = 1) =>
    value === undefined ? fallback : checkPositiveInt(`options.${field}`, value, min);
  const pipeline = checkKeyPart('options.pipeline', options.pipeline, 100);
  const idPrefix =
    options.idPrefix === undefined ? '' : checkKeyPart('options.idPrefix', options.idPrefix, 20);
  const algorithm = options.compression?.algorithm ?? 'deflate';
  if (!ALGORITHMS.includes(algorithm)) {
    throw new ValidationError('options.compression.algorithm', `must be one of ${ALGORITHMS.join(', ')}`);
  }
  const backoffBaseMs = int('backoff.baseMs', options.backoff?.baseMs, 1000);
  const backoffMaxMs = int('backoff.maxMs', options.backoff?.maxMs, 300_000);
  if (backoffMaxMs < backoffBaseMs) {
    throw new ValidationError('options.backoff.maxMs', 'must be at least backoff.baseMs');
  }
  return {
    pipeline,
    idPrefix,
    leaseMs: int('leaseMs', options.leaseMs, 30_000),
    maxAttempts: int('maxAttempts', options.maxAttempts, 3),
    maxStalls: options.maxStalls === undefined ? undefined : int('maxStalls', options.maxStalls, 0, 0),
    backoffBaseMs,
    backoffMaxMs,
    retentionMs: int('retentionMs', options.retentionMs, 86_400_000, 0),
    deadLetterRetentionMs: int('deadLetterRetentionMs', options.deadLetterRetentionMs, 604_800_000, 0),
    maxPayloadBytes: int('maxPayloadBytes', options.maxPayloadBytes, 1_048_576),
    maxResultBytes: int('maxResultBytes', options.maxResultBytes, 16_777_216),
    inlineBytes: int('inlineBytes', options.inlineBytes, 512, 0),
    compression: algorithm,
    compressionThresholdBytes: int(
      'compression.thresholdBytes',
      options.compression?.thresholdBytes,
      1024,
      0,
    ),
    eventStreamMaxLength: int('eventStreamMaxLength', options.eventStreamMaxLength, 10_000),
    dedupeByHash: options.dedupeByHash ?? false,
    bulkChunkSize: int('bulkChunkSize', options.bulkChunkSize, 500),
    errorHistoryLimit: int('errorHistoryLimit', options.errorHistoryLimit, 20),
    workerId:
      options.workerId === undefined
        ? defaultWorkerId()
        : checkKeyPart('options.workerId', options.workerId, 200),
  };
}
