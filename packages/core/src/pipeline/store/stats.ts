import type { Cluster, Redis } from 'ioredis';
import { FILE_STATUSES, type PipelineStats, TASK_STATUSES, type TaskStatus } from '../types.js';
import type { StoreCore } from './core.js';

const zeroTasks = () => Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;

function isCluster(redis: Redis | Cluster): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** `used_memory` of the server, summed over a cluster's masters; null when INFO fails. */
export async function redisMemory(redis: Redis | Cluster): Promise<number | null> {
  try {
    const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
    const infos = await Promise.all(nodes.map((node) => node.info('memory')));
    return infos.reduce((sum, info) => sum + Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN), 0);
  } catch {
    return null;
  }
}

export async function getStats(core: StoreCore): Promise<PipelineStats> {
  const [counts, throughput, dead, time] = await Promise.all([
    core.redis.hgetall(core.keys.counts),
    core.redis.hgetall(core.keys.throughput),
    core.redis.zcard(core.keys.dead),
    core.redis.time(),
  ]);
  const memory = await redisMemory(core.redis);

  const tasks = { ...zeroTasks(), total: 0 };
  const byWorkerType: Record<string, Record<TaskStatus, number>> = {};
  const files = {
    ...(Object.fromEntries(FILE_STATUSES.map((s) => [s, 0])) as PipelineStats['files']),
    total: 0,
  };
  for (const [field, value] of Object.entries(counts)) {
    const n = Number(value);
    const [kind, status, workerType] = field.split(':') as [string, string, string | undefined];
    if (kind === 't' && workerType !== undefined && status in tasks) {
      const s = status as TaskStatus;
      tasks[s] += n;
      tasks.total += n;
      byWorkerType[workerType] ??= zeroTasks();
      byWorkerType[workerType][s] += n;
    } else if (kind === 'f' && status in files) {
      files[status as keyof typeof files] += n;
      files.total += n;
    }
  }
  for (const [type, byStatus] of Object.entries(byWorkerType)) {
    if (Object.values(byStatus).every((n) => n === 0)) delete byWorkerType[type];
  }

  // Per-second counters, keyed by Redis server time: the last 60 full seconds.
  const now = Number(time[0]);
  let completed = 0;
  let failed = 0;
  for (const [field, value] of Object.entries(throughput)) {
    const second = Number(field.slice(1));
    if (second > now - 60 && second <= now) {
      if (field[0] === 'c') completed += Number(value);
      else if (field[0] === 'f') failed += Number(value);
    }
  }
  return {
    pipeline: core.options.pipeline,
    tasks,
    byWorkerType,
    files,
    activeFiles: files.processing,
    activeTasks: tasks.active,
    deadLetters: dead,
    throughput: { completedLastMinute: completed, failedLastMinute: failed, perSecond: completed / 60 },
    redisMemoryBytes: memory,
    at: now * 1000 + Math.floor(Number(time[1]) / 1000),
  };
}
