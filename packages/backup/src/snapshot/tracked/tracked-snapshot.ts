import { escapeGlob } from '@covina/cache-keys';
import { SnapshotError, SnapshotInconsistentError } from '../../errors.js';
import { redisVersion, scopeMatcher, serverTimeMs } from '../nodes.js';
import type { NodeSnapshot, NodeTask, SnapshotContext } from '../types.js';
import { type CaptureStats, captureKeys } from './capture.js';
import { ChangeTracker } from './change-tracker.js';

export interface TrackedOptions {
  /** SCAN COUNT hint and keys per DUMP pipeline. */
  batchSize: number;
  /** Catch-up rounds before giving up (paused rounds included). */
  maxRounds: number;
  /** May writes be paused briefly (`CLIENT PAUSE … WRITE`) to reach the consistent point? */
  pauseWrites: boolean;
  /** Longest write pause; Redis lifts it by itself after this even if we die. */
  maxPauseMs: number;
  /** Pause once no more than this many keys are left to catch up. */
  pauseBelowKeys: number;
}

/**
 * Copies one server's scopes without forking it: a fuzzy copy (SCAN + DUMP) while Redis
 * reports every key written meanwhile (see ChangeTracker), then catch-up rounds that copy the
 * reported keys again, until a round finds nothing left. Under a steady stream of writes that
 * never happens by itself, so the last round runs under `CLIENT PAUSE WRITE`: writers wait
 * (readers do not) while the few keys written since the previous round are copied, typically
 * for a millisecond or two.
 *
 * The copy is then exactly the dataset at one instant: every key was either copied after its
 * last write before that instant, or copied again inside the final round.
 */
export async function trackedSnapshot(
  task: NodeTask,
  ctx: SnapshotContext,
  options: TrackedOptions,
): Promise<NodeSnapshot> {
  const connection = task.node.duplicate({
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  connection.on('error', () => {});
  let tracker: ChangeTracker | undefined;
  const stats: CaptureStats = { keys: 0, bytes: 0, deleted: 0 };
  const fail = (reason: string, cause?: unknown) =>
    new SnapshotError(`Tracked snapshot of ${task.name} failed: ${reason}`, {
      context: { method: 'tracked', node: task.name, reason },
      ...(cause === undefined ? {} : { cause }),
    });
  try {
    await connection.connect();
    const version = await redisVersion(connection);
    const scopeOf = scopeMatcher(task.scopes);
    try {
      tracker = await ChangeTracker.start(
        connection,
        connection,
        task.scopes.map((s) => s.prefix),
      );
    } catch (error) {
      throw fail(`CLIENT TRACKING is not available (${(error as Error).message})`, error);
    }
    const check = () => {
      if (tracker?.broken) throw fail(tracker.broken);
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('aborted');
    };

    // 1. Fuzzy copy: every key present throughout is seen at least once by SCAN; keys written
    //    meanwhile (created, changed, deleted) are reported and taken again below.
    for (const scope of task.scopes) {
      let cursor = '0';
      do {
        check();
        const [next, keys] = await connection.scanBuffer(
          cursor,
          'MATCH',
          `${escapeGlob(scope.prefix)}*`,
          'COUNT',
          options.batchSize,
        );
        cursor = String(next);
        tracker.forget(keys);
        await captureKeys(connection, keys, scopeOf, ctx, stats);
        ctx.onProgress?.({ phase: 'scan', node: task.name, keys: stats.keys, bytes: stats.bytes });
      } while (cursor !== '0');
    }

    // 2. Catch-up rounds.
    let pausedRounds = 0;
    let pauseMs = 0;
    let pauseRefused: string | null = null;
    let previous = Number.POSITIVE_INFINITY;
    for (let round = 1; round <= options.maxRounds; round++) {
      await tracker.barrier();
      check();
      const consistentAt = await serverTimeMs(connection);
      const pending = tracker.dirty.size;
      if (pending === 0) {
        return done(consistentAt, round, pausedRounds, pauseMs);
      }
      const stalled = pending >= previous && round > 2;
      if (options.pauseWrites && pauseRefused === null && (pending <= options.pauseBelowKeys || stalled)) {
        const started = performance.now();
        try {
          await connection.call('CLIENT', 'PAUSE', String(options.maxPauseMs), 'WRITE');
        } catch (error) {
          pauseRefused = (error as Error).message;
          continue;
        }
        let pausedAt = 0;
        try {
          // Reports of writes before the pause are flushed before the next command's reply.
          await tracker.barrier(1);
          check();
          pausedAt = await serverTimeMs(connection);
          const keys = tracker.take();
          await captureKeys(connection, keys, scopeOf, ctx, stats);
        } finally {
          await connection.call('CLIENT', 'UNPAUSE').catch(() => {});
        }
        const elapsed = performance.now() - started;
        pausedRounds++;
        pauseMs += elapsed;
        ctx.onProgress?.({ phase: 'pause', node: task.name, keys: stats.keys, bytes: stats.bytes });
        // The pause must have covered the whole round: else a write may have slipped in.
        if (elapsed < options.maxPauseMs * 0.8) return done(pausedAt, round, pausedRounds, pauseMs);
        continue;
      }
      previous = pending;
      const keys = tracker.take();
      for (let i = 0; i < keys.length; i += options.batchSize) {
        check();
        await captureKeys(connection, keys.slice(i, i + options.batchSize), scopeOf, ctx, stats);
      }
      ctx.onProgress?.({ phase: 'catch-up', node: task.name, keys: stats.keys, bytes: stats.bytes });
    }
    throw new SnapshotInconsistentError(
      `Keys of ${task.name} kept changing through ${options.maxRounds} catch-up rounds` +
        (pauseRefused ? ` and writes could not be paused (${pauseRefused})` : '') +
        '; use the replication method, allow CLIENT PAUSE, or back up at a quieter time',
      { context: { rounds: options.maxRounds, dirtyKeys: tracker.dirty.size } },
    );

    function done(consistentAt: number, rounds: number, paused: number, pausedFor: number): NodeSnapshot {
      return {
        node: task.name,
        method: 'tracked',
        redisVersion: version,
        consistentAt,
        keys: stats.keys,
        bytes: stats.bytes,
        details: {
          catchUpRounds: rounds,
          pausedRounds: paused,
          pauseMs: Math.round(pausedFor * 10) / 10,
          deletedDuringCopy: stats.deleted,
        },
      };
    }
  } catch (error) {
    if (error instanceof SnapshotError || error instanceof SnapshotInconsistentError) throw error;
    throw fail((error as Error).message, error);
  } finally {
    await tracker?.stop();
    connection.disconnect();
  }
}
