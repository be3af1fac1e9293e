import type { PipelineStore, TaskRecord } from '@covina/core';

/** The longest-waiting ready task of a worker type. */
export interface OldestReady {
  taskId: string;
  workerType: string;
  /** How long it has been ready, in ms (since it was created, its parents completed, or its last attempt started). */
  ageMs: number;
}

/** Queue entries looked at per priority: the head may be stale (a cancelled task's entry). */
const HEAD_ENTRIES = 5;

/** When a ready task became ready, as near as its record tells: its last event before it was queued. */
function readySince(task: TaskRecord, parents: Map<string, TaskRecord>): number {
  let since = Math.max(task.createdAt, task.startedAt ?? 0, task.finishedAt ?? 0);
  for (const id of task.dependsOn) since = Math.max(since, parents.get(id)?.finishedAt ?? 0);
  return since;
}

/**
 * The oldest ready task of each worker type: reads the heads of the worker type's ready queues
 * (one per priority; a queue is oldest-first) through the store's published key layout.
 */
export async function oldestReadyTasks(
  store: PipelineStore,
  workerTypes: readonly string[],
  now: number,
): Promise<Record<string, OldestReady>> {
  const redis = store.redis;
  const heads = await Promise.all(
    workerTypes.map(async (type) => {
      const priorities = await redis.zrange(store.keys.priorities(type), 0, -1);
      const lists = await Promise.all(
        priorities.map((p) => redis.lrange(store.keys.queue(type, p), 0, HEAD_ENTRIES - 1)),
      );
      return { type, ids: lists.flat() };
    }),
  );
  const tasks = new Map(
    (await store.getTasks([...new Set(heads.flatMap((h) => h.ids))])).map((t) => [t.id, t]),
  );
  const parentIds = [...tasks.values()].filter((t) => t.status === 'ready').flatMap((t) => t.dependsOn);
  const parents = new Map((await store.getTasks([...new Set(parentIds)])).map((t) => [t.id, t]));

  const oldest: Record<string, OldestReady> = {};
  for (const { type, ids } of heads) {
    for (const id of ids) {
      const task = tasks.get(id);
      if (task?.status !== 'ready') continue;
      const ageMs = Math.max(0, now - readySince(task, parents));
      if (!oldest[type] || ageMs > oldest[type].ageMs) oldest[type] = { taskId: id, workerType: type, ageMs };
    }
  }
  return oldest;
}
