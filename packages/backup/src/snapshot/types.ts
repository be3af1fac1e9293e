import type { Cluster, Redis } from 'ioredis';
import type { KeyRow, ScopeDefinition } from '../file/rows.js';

/** How a snapshot reaches its consistent point. */
export type SnapshotMethod = 'replication' | 'tracked';

/** Where captured keys go (the backup file being written). */
export interface SnapshotSink {
  putKey(row: KeyRow): void;
  deleteKey(key: Buffer, scope: string): void;
  /** Forgets every key captured so far for these scopes (before retrying another way). */
  clearScopes(scopes: readonly string[]): void;
}

/** Progress of a snapshot, for logs and progress bars. */
export interface SnapshotProgress {
  phase: 'transfer' | 'scan' | 'catch-up' | 'pause';
  node: string;
  keys: number;
  bytes: number;
  /** Expected bytes of the transfer, when known. */
  totalBytes?: number;
}

/** What one server contributed to a snapshot. */
export interface NodeSnapshot {
  node: string;
  method: SnapshotMethod;
  redisVersion: string;
  /** Server time (Unix ms) the copy is consistent at (for `replication`: just before the fork). */
  consistentAt: number;
  keys: number;
  bytes: number;
  /** Method details: RDB size and checksum status, catch-up rounds, pause duration, … */
  details: Record<string, unknown>;
}

export interface SnapshotResult {
  nodes: NodeSnapshot[];
  keys: number;
  bytes: number;
}

/** The scopes one server holds, and how to tell which scope (if any) a key belongs to. */
export interface NodeTask {
  node: Redis;
  /** `host:port`. */
  name: string;
  scopes: ScopeDefinition[];
}

export interface SnapshotContext {
  redis: Redis | Cluster;
  scopes: readonly ScopeDefinition[];
  sink: SnapshotSink;
  /** Key template name of a key (for the `key_type` column), when the registry knows it. */
  keyTypeOf(key: Buffer): string | null;
  signal?: AbortSignal;
  onProgress?(progress: SnapshotProgress): void;
}
