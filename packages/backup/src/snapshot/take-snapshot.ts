import { SnapshotError } from '../errors.js';
import { planNodes } from './nodes.js';
import {
  type ReplicationOptions,
  ReplicationUnavailableError,
  replicationSnapshot,
} from './replication/replication-snapshot.js';
import { type TrackedOptions, trackedSnapshot } from './tracked/tracked-snapshot.js';
import type { NodeSnapshot, SnapshotContext, SnapshotResult } from './types.js';

/** `auto`: replication where the server allows it, else tracked. */
export type SnapshotMethodOption = 'auto' | 'replication' | 'tracked';

export interface SnapshotOptions {
  method: SnapshotMethodOption;
  replication: ReplicationOptions;
  tracked: TrackedOptions;
}

/**
 * Copies every key of the context's scopes into its sink, consistent per server (see the two
 * methods). On a cluster each server holding a scope is copied in turn; a pipeline lives in
 * one slot, so each pipeline is copied at one instant.
 */
export async function takeSnapshot(ctx: SnapshotContext, options: SnapshotOptions): Promise<SnapshotResult> {
  const tasks = await planNodes(ctx.redis, ctx.scopes);
  const nodes: NodeSnapshot[] = [];
  for (const task of tasks) {
    if (options.method === 'tracked') {
      nodes.push(await trackedSnapshot(task, ctx, options.tracked));
      continue;
    }
    try {
      nodes.push(await replicationSnapshot(task, ctx, options.replication));
    } catch (error) {
      if (!(error instanceof ReplicationUnavailableError)) throw error;
      if (options.method === 'replication') {
        throw new SnapshotError(error.message, {
          context: { method: 'replication', node: task.name, reason: error.message },
          cause: error,
        });
      }
      if (error.partial) ctx.sink.clearScopes(task.scopes.map((s) => s.name));
      const snapshot = await trackedSnapshot(task, ctx, options.tracked);
      snapshot.details.replicationUnavailable = error.message;
      nodes.push(snapshot);
    }
  }
  return {
    nodes,
    keys: nodes.reduce((n, s) => n + s.keys, 0),
    bytes: nodes.reduce((n, s) => n + s.bytes, 0),
  };
}
