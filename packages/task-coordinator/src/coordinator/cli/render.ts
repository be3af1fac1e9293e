import { TASK_STATUSES } from '@covina/core';
import type { WorkerRecord } from '../../registry/worker-record.js';
import type { ClusterStats } from '../cluster-stats.js';
import type { DeadLetter } from '../coordinator.js';
import { formatDuration, formatTable, oneLine } from './table.js';

/** The monitor's screen: a summary, then one row per worker type. */
export function renderClusterStats(stats: ClusterStats): string {
  const { workers, throughput, oldestReady } = stats;
  const oldest = oldestReady
    ? `${formatDuration(oldestReady.ageMs)} (task ${oldestReady.taskId} of ${oldestReady.workerType})`
    : 'none';
  const types = [...new Set([...Object.keys(workers.byType), ...Object.keys(stats.tasksByType)])].sort();
  const rows = types.map((type) => {
    const w = workers.byType[type];
    const t = stats.tasksByType[type];
    const oldestOfType = stats.oldestReadyByType[type];
    return [
      type,
      w?.alive ?? 0,
      w?.dead ?? 0,
      w?.concurrency ?? 0,
      w?.running ?? 0,
      ...TASK_STATUSES.map((s) => t?.[s] ?? 0),
      oldestOfType ? formatDuration(oldestOfType.ageMs) : '-',
    ];
  });
  return [
    `pipeline ${stats.pipeline} at ${new Date(stats.at).toISOString()}`,
    `workers: ${workers.alive} alive, ${workers.dead} dead` +
      ` | throughput: ${throughput.completedPerMinute} completed/min, ${throughput.failedPerMinute} failed/min` +
      ` | oldest ready: ${oldest} | dead letters: ${stats.deadLetters}`,
    '',
    rows.length === 0
      ? '(no workers and no tasks yet)'
      : formatTable(
          [
            'WORKER TYPE',
            'ALIVE',
            'DEAD',
            'SLOTS',
            'RUNNING',
            ...TASK_STATUSES.map((s) => s.toUpperCase()),
            'OLDEST READY',
          ],
          rows,
        ),
  ].join('\n');
}

export function renderWorkers(workers: readonly WorkerRecord[]): string {
  if (workers.length === 0) return '(no workers registered)';
  return formatTable(
    [
      'ID',
      'STATE',
      'TYPES',
      'SLOTS',
      'RUNNING',
      'COMPLETED',
      'FAILED',
      'LAST HEARTBEAT',
      'VERSION',
      'HOST',
      'PID',
    ],
    workers.map((w) => [
      w.id,
      w.state === 'alive' ? 'alive' : `dead (${w.recovery})`,
      w.workerTypes.join(','),
      w.concurrency,
      Number(w.status?.running ?? 0),
      Number(w.status?.completed ?? 0),
      Number(w.status?.failed ?? 0),
      `${formatDuration(w.lastHeartbeatAgeMs)} ago`,
      w.version,
      w.host,
      w.pid,
    ]),
  );
}

export function renderDeadLetters(tasks: readonly DeadLetter[]): string {
  if (tasks.length === 0) return '(the dead-letter queue is empty)';
  return formatTable(
    ['ID', 'TASK TYPE', 'WORKER TYPE', 'ATTEMPTS', 'FAILED AT', 'ERROR'],
    tasks.map((t) => [
      t.id,
      t.taskType,
      t.workerType,
      t.attempts,
      t.finishedAt === undefined ? '-' : new Date(t.finishedAt).toISOString(),
      oneLine(t.error ?? '', 80),
    ]),
  );
}
