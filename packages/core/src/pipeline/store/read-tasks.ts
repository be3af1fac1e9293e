import { decodeBlob } from '../codec/blob.js';
import { type RawTask, splitRecord, statusOf, toTaskRecord } from '../codec/task-record.js';
import { ValidationError } from '../errors.js';
import type { ListTasksOptions, TaskErrorEntry, TaskPage, TaskRecord } from '../types.js';
import { TASK_STATUSES } from '../types.js';
import { checkId, checkInt, checkKeyPart, checkObject, checkOneOf } from '../validate.js';
import type { StoreCore } from './core.js';
import { compareIds } from './files.js';

/** Public records of raw tasks, fetching out-of-line payloads and results in one round trip. */
export async function hydrate(core: StoreCore, raws: RawTask[]): Promise<TaskRecord[]> {
  const wanted: Array<{ task: number; kind: 'payloadJson' | 'resultJson' }> = [];
  const pipeline = core.redis.pipeline();
  raws.forEach((raw, task) => {
    if (raw.meta.D === 1) {
      pipeline.hgetBuffer(core.keys.payloads, raw.id);
      wanted.push({ task, kind: 'payloadJson' });
    }
    if (raw.meta.R === 2) {
      pipeline.hgetBuffer(core.keys.results, raw.id);
      wanted.push({ task, kind: 'resultJson' });
    }
  });
  const extra: Array<{ payloadJson?: string; resultJson?: string }> = raws.map(() => ({}));
  if (wanted.length > 0) {
    const replies = (await pipeline.exec()) ?? [];
    await Promise.all(
      wanted.map(async ({ task, kind }, i) => {
        const [error, blob] = replies[i] ?? [];
        if (error) throw error;
        if (Buffer.isBuffer(blob)) extra[task]![kind] = await decodeBlob(blob);
      }),
    );
  }
  return raws.map((raw, i) => toTaskRecord(core.options.pipeline, raw, extra[i]));
}

export async function getTask(core: StoreCore, taskId: string): Promise<TaskRecord | null> {
  const id = checkId('taskId', taskId);
  const raw = await core.readRecord(id);
  if (raw === null) return null;
  const parts = splitRecord(id, raw);
  if (parts.meta.D !== 1 && parts.meta.R !== 2) return toTaskRecord(core.options.pipeline, parts);
  return (await hydrate(core, [parts]))[0]!;
}

/** Several tasks in one round trip (missing ids are left out). */
export async function getTasks(core: StoreCore, taskIds: readonly string[]): Promise<TaskRecord[]> {
  const ids = taskIds.map((id, i) => checkId(`taskIds[${i}]`, id));
  if (ids.length === 0) return [];
  const values = await core.redis.hmget(core.keys.tasks, ...ids);
  const raws: RawTask[] = [];
  values.forEach((raw, i) => {
    if (raw !== null) raws.push(splitRecord(ids[i]!, raw));
  });
  return hydrate(core, raws);
}

export async function getTasksForFile(core: StoreCore, fileId: string): Promise<TaskRecord[]> {
  const id = checkId('fileId', fileId);
  const ids = (await core.redis.hkeys(core.keys.fileTasks(id))).sort(compareIds);
  return getTasks(core, ids);
}

export async function getTaskErrors(core: StoreCore, taskId: string): Promise<TaskErrorEntry[]> {
  const raw = await core.redis.hget(core.keys.errorLog, checkId('taskId', taskId));
  return raw === null ? [] : (JSON.parse(raw) as TaskErrorEntry[]);
}

const SCAN_BUDGET_MS = 250;

/**
 * Pages of tasks, filtered. Active, delayed and failed tasks are read from their indexes (by
 * rank), a file's from its task list, anything else by HSCAN over all tasks (a page may then
 * hold fewer than `limit` tasks: keep following the cursor until it is null).
 */
export async function listTasks(core: StoreCore, options: ListTasksOptions = {}): Promise<TaskPage> {
  const opts = checkObject<ListTasksOptions>('options', options);
  const status =
    opts.status === undefined ? undefined : checkOneOf('options.status', opts.status, TASK_STATUSES);
  const workerType =
    opts.workerType === undefined ? undefined : checkKeyPart('options.workerType', opts.workerType, 100);
  const limit = opts.limit === undefined ? 100 : checkInt('options.limit', opts.limit, 1, 10_000);
  const matches = (raw: RawTask) =>
    (status === undefined || statusOf(raw.meta) === status) &&
    (workerType === undefined || raw.meta.w === workerType);

  const index =
    opts.fileId !== undefined
      ? undefined
      : status === 'active'
        ? core.keys.leases
        : status === 'delayed'
          ? core.keys.delayed
          : status === 'failed'
            ? core.keys.dead
            : undefined;
  const cursor = opts.cursor ?? '0';
  if (!/^\d+$/.test(cursor))
    throw new ValidationError('options.cursor', 'must be a cursor returned by listTasks');

  if (index !== undefined) {
    // Rank-based pages over a sorted set, filtered by worker type.
    let offset = Number(cursor);
    const found: RawTask[] = [];
    const started = Date.now();
    while (found.length < limit && Date.now() - started < SCAN_BUDGET_MS) {
      const ids = await core.redis.zrange(index, offset, offset + limit - 1);
      offset += ids.length;
      if (ids.length > 0) {
        const values = await core.redis.hmget(core.keys.tasks, ...ids);
        values.forEach((raw, i) => {
          if (raw === null) return;
          const parts = splitRecord(ids[i]!, raw);
          if (matches(parts) && found.length < limit) found.push(parts);
        });
      }
      if (ids.length < limit) return { tasks: await hydrate(core, found), cursor: null };
    }
    return { tasks: await hydrate(core, found), cursor: String(offset) };
  }

  const source =
    opts.fileId === undefined ? core.keys.tasks : core.keys.fileTasks(checkId('options.fileId', opts.fileId));
  let next = cursor;
  const found: RawTask[] = [];
  const started = Date.now();
  do {
    const [after, flat] = await core.redis.hscan(source, next, 'COUNT', Math.max(limit, 100));
    next = after;
    if (opts.fileId === undefined) {
      for (let i = 0; i < flat.length; i += 2) {
        const parts = splitRecord(flat[i]!, flat[i + 1]!);
        if (matches(parts)) found.push(parts);
      }
    } else {
      const ids = flat.filter((_, i) => i % 2 === 0);
      const values = ids.length > 0 ? await core.redis.hmget(core.keys.tasks, ...ids) : [];
      values.forEach((raw, i) => {
        if (raw === null) return;
        const parts = splitRecord(ids[i]!, raw);
        if (matches(parts)) found.push(parts);
      });
    }
  } while (next !== '0' && found.length < limit && Date.now() - started < SCAN_BUDGET_MS);
  // HSCAN may return a few more than asked; a page holds them all rather than lose any.
  found.sort((a, b) => compareIds(a.id, b.id));
  return { tasks: await hydrate(core, found), cursor: next === '0' ? null : next };
}

/** Dead letters (tasks failed for good), oldest failure first, with their error history. */
export async function listDeadLetters(
  core: StoreCore,
  options: { cursor?: string; limit?: number } = {},
): Promise<{ tasks: Array<TaskRecord & { errors: TaskErrorEntry[] }>; cursor: string | null }> {
  const page = await listTasks(core, { ...options, status: 'failed' });
  const logs =
    page.tasks.length > 0 ? await core.redis.hmget(core.keys.errorLog, ...page.tasks.map((t) => t.id)) : [];
  return {
    tasks: page.tasks.map((task, i) => ({
      ...task,
      errors: logs[i] ? (JSON.parse(logs[i]!) as TaskErrorEntry[]) : [],
    })),
    cursor: page.cursor,
  };
}
