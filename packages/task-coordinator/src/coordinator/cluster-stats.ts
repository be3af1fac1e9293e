import type { PipelineStats, PipelineStore, TaskStatus } from '@covina/core';
import type { WorkerRecord } from '../registry/worker-record.js';
import { type OldestReady, oldestReadyTasks } from './oldest-ready.js';

/** Workers of one worker type. */
export interface WorkerTypeStats {
  alive: number;
  /** Dead and not yet recovered, or recovered recently (kept listed for an hour). */
  dead: number;
  /** Task slots of the alive workers. */
  concurrency: number;
  /** Tasks the alive workers reported running at their last heartbeat. */
  running: number;
}

/** One view of the whole pipeline: its workers and its tasks. */
export interface ClusterStats {
  pipeline: string;
  /** Redis server time, ms. */
  at: number;
  workers: {
    alive: number;
    dead: number;
    byType: Record<string, WorkerTypeStats>;
  };
  /** Tasks by status, all worker types. */
  tasks: Record<TaskStatus, number> & { total: number };
  /** Tasks by status, per worker type. */
  tasksByType: Record<string, Record<TaskStatus, number>>;
  /** Tasks completed and failed for good over the last minute. */
  throughput: { completedPerMinute: number; failedPerMinute: number };
  /** The longest-waiting ready task, overall and per worker type (none when no task is ready). */
  oldestReady: OldestReady | null;
  oldestReadyByType: Record<string, OldestReady>;
  deadLetters: number;
}

function workerStats(workers: readonly WorkerRecord[]): ClusterStats['workers'] {
  const byType: Record<string, WorkerTypeStats> = {};
  let alive = 0;
  let dead = 0;
  for (const worker of workers) {
    const isAlive = worker.state === 'alive';
    if (isAlive) alive++;
    else dead++;
    for (const type of worker.workerTypes) {
      byType[type] ??= { alive: 0, dead: 0, concurrency: 0, running: 0 };
      const entry = byType[type];
      if (isAlive) {
        entry.alive++;
        entry.concurrency += worker.concurrency;
        const running = worker.status?.running;
        if (typeof running === 'number') entry.running += running;
      } else {
        entry.dead++;
      }
    }
  }
  return { alive, dead, byType };
}

export async function collectClusterStats(
  store: PipelineStore,
  stats: PipelineStats,
  workers: readonly WorkerRecord[],
): Promise<ClusterStats> {
  const readyTypes = Object.entries(stats.byWorkerType)
    .filter(([, byStatus]) => byStatus.ready > 0)
    .map(([type]) => type);
  const oldestReadyByType = await oldestReadyTasks(store, readyTypes, stats.at);
  const oldestReady = Object.values(oldestReadyByType).reduce<OldestReady | null>(
    (max, o) => (max === null || o.ageMs > max.ageMs ? o : max),
    null,
  );
  return {
    pipeline: stats.pipeline,
    at: stats.at,
    workers: workerStats(workers),
    tasks: stats.tasks,
    tasksByType: stats.byWorkerType,
    throughput: {
      completedPerMinute: stats.throughput.completedLastMinute,
      failedPerMinute: stats.throughput.failedLastMinute,
    },
    oldestReady,
    oldestReadyByType,
    deadLetters: stats.deadLetters,
  };
}
