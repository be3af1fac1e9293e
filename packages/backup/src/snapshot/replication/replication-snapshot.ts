import { SnapshotError } from '../../errors.js';
import { RdbFormatError } from '../../rdb/cursor.js';
import { RdbStreamParser } from '../../rdb/parser.js';
import { RdbUnsupportedTypeError } from '../../rdb/skip-value.js';
import { redisTypeName } from '../../rdb/types.js';
import { redisVersion, scopeMatcher, serverTimeMs } from '../nodes.js';
import type { NodeSnapshot, NodeTask, SnapshotContext } from '../types.js';
import { endpointOf } from './endpoint.js';
import { SyncRefusedError, transferRdb } from './rdb-transfer.js';

export interface ReplicationOptions {
  /** Give up when the server sends nothing for this long (it sends keep-alives while forking). */
  idleTimeoutMs: number;
}

/** The server cannot give us an RDB, or sent one we cannot read: try the tracked method. */
export class ReplicationUnavailableError extends Error {
  constructor(
    message: string,
    /** Keys may already have been handed to the sink (clear them before retrying). */
    readonly partial: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReplicationUnavailableError';
  }
}

/**
 * Copies one server's keys of the given scopes from a point-in-time RDB: the server forks and
 * streams its dataset as a replica would get it; we keep the scopes' keys and drop the rest.
 * Consistent by construction (one fork = one instant) and cheap for the server's clients: the
 * fork shares memory copy-on-write and the main thread only sends bytes.
 */
export async function replicationSnapshot(
  task: NodeTask,
  ctx: SnapshotContext,
  options: ReplicationOptions,
): Promise<NodeSnapshot> {
  const [version, startedAt] = await Promise.all([redisVersion(task.node), serverTimeMs(task.node)]);
  // After a command: behind Sentinel, the socket now tells which server is the master.
  const endpoint = endpointOf(task.node);
  const scopeOf = scopeMatcher(task.scopes);
  let keys = 0;
  let bytes = 0;
  let skippedExpired = 0;
  let transferred = 0;
  let lastReport = 0;
  let totalBytes: number | undefined;
  const parser = new RdbStreamParser({
    accept: (db, key) => db === endpoint.db && scopeOf(key) !== null,
    entry: (e) => {
      // Keys already expired at the snapshot are not state anymore (Redis just had not evicted them).
      if (e.expireAt !== null && e.expireAt <= startedAt) {
        skippedExpired++;
        return;
      }
      const scope = scopeOf(e.key)!;
      ctx.sink.putKey({
        scope: scope.name,
        key: e.key,
        keyType: ctx.keyTypeOf(e.key),
        redisType: redisTypeName(e.rdbType),
        expireAt: e.expireAt,
        payload: e.payload,
      });
      keys++;
      bytes += e.payload.length;
    },
  });
  try {
    const transfer = await transferRdb(
      endpoint,
      (chunk) => {
        transferred += chunk.length;
        parser.write(chunk);
        if (ctx.onProgress && transferred - lastReport > 4 << 20) {
          lastReport = transferred;
          ctx.onProgress({
            phase: 'transfer',
            node: task.name,
            keys,
            bytes: transferred,
            ...(totalBytes === undefined ? {} : { totalBytes }),
          });
        }
      },
      {
        idleTimeoutMs: options.idleTimeoutMs,
        onTotal: (bytes) => {
          totalBytes = bytes;
        },
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
    const summary = parser.end();
    ctx.onProgress?.({
      phase: 'transfer',
      node: task.name,
      keys,
      bytes: transfer.bytes,
      totalBytes: transfer.bytes,
    });
    return {
      node: task.name,
      method: 'replication',
      redisVersion: version,
      consistentAt: startedAt,
      keys,
      bytes,
      details: {
        rdbVersion: summary.version,
        rdbBytes: summary.bytes,
        rdbChecksum: summary.checksum,
        keysInRdb: summary.keysSeen,
        skippedExpired,
      },
    };
  } catch (error) {
    if (error instanceof SyncRefusedError) {
      throw new ReplicationUnavailableError(`${task.name} refused SYNC: ${error.reply}`, keys > 0, {
        cause: error,
      });
    }
    if (
      error instanceof RdbUnsupportedTypeError ||
      (error instanceof RdbFormatError && /newer/.test(error.message))
    ) {
      throw new ReplicationUnavailableError(`${task.name}: ${error.message}`, keys > 0, { cause: error });
    }
    throw new SnapshotError(`Snapshot of ${task.name} by replication failed: ${(error as Error).message}`, {
      context: { method: 'replication', node: task.name, reason: (error as Error).message },
      cause: error,
    });
  }
}
