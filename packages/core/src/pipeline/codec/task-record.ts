import type { ClaimedTaskRecord, TaskRecord, TaskStatus } from '../types.js';

/** The record's meta JSON, as the Lua scripts write it (see lua/includes/records.lua). */
export interface TaskMeta {
  s: number;
  w: string;
  y: string;
  p: number;
  f?: string;
  b?: string;
  a?: number;
  m: number;
  /** Times (ms) are written as strings of digits (older records: numbers). */
  c: number | string;
  t?: number | string;
  e?: number | string;
  r?: number | string;
  n?: number;
  P?: string[];
  C?: string[];
  k?: string;
  x?: number | string;
  W?: string;
  g?: number;
  E?: string;
  z?: string;
  i?: string;
  D?: 1;
  R?: 1 | 2;
  B?: number;
  l?: number;
  L?: number;
}

const STATUS_BY_CODE: readonly TaskStatus[] = [
  'waiting',
  'ready',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
];

/** A task record split into its parts; payload and result are still JSON text. */
export interface RawTask {
  id: string;
  meta: TaskMeta;
  /** Inline payload JSON ('' when none or out of line). */
  payload: string;
  /** Inline result JSON, when stored inline. */
  result?: string;
}

/** Splits `<meta>\n<payload>[\n<result>]` (JSON text never holds a raw newline). */
export function splitRecord(id: string, raw: string): RawTask {
  const first = raw.indexOf('\n');
  const meta = JSON.parse(first < 0 ? raw : raw.slice(0, first)) as TaskMeta;
  if (first < 0) return { id, meta, payload: '' };
  const second = raw.indexOf('\n', first + 1);
  if (second < 0) return { id, meta, payload: raw.slice(first + 1) };
  return { id, meta, payload: raw.slice(first + 1, second), result: raw.slice(second + 1) };
}

export function statusOf(meta: TaskMeta): TaskStatus {
  return STATUS_BY_CODE[meta.s] ?? 'waiting';
}

/** Does the task keep its payload or result out of line (a second read)? */
export function needsOutOfLine(raw: RawTask): { payload: boolean; result: boolean } {
  return { payload: raw.meta.D === 1, result: raw.meta.R === 2 };
}

/** A stored time: the scripts write ms as a string of digits (cheaper for cjson than a number). */
const ms = (value: number | string): number => (typeof value === 'number' ? value : Number(value));

const parse = (text: string | undefined): unknown =>
  text === undefined || text === '' ? undefined : JSON.parse(text);

/**
 * The public record. `payloadJson` / `resultJson` override the inline parts (out-of-line
 * values already fetched and decoded).
 */
export function toTaskRecord(
  pipeline: string,
  raw: RawTask,
  outOfLine: { payloadJson?: string; resultJson?: string } = {},
): TaskRecord {
  const m = raw.meta;
  const status = statusOf(m);
  const task: TaskRecord = {
    id: raw.id,
    pipeline,
    status,
    taskType: m.y,
    workerType: m.w,
    priority: m.p,
    payload: parse(outOfLine.payloadJson ?? raw.payload),
    dependsOn: m.P ?? [],
    dependents: m.C ?? [],
    pendingDependencies: m.n ?? 0,
    attempts: m.a ?? 0,
    maxAttempts: m.m,
    stalls: m.l ?? 0,
    createdAt: ms(m.c),
  };
  if (m.f !== undefined) task.fileId = m.f;
  if (m.b !== undefined) task.batchId = m.b;
  if (m.t !== undefined) task.startedAt = ms(m.t);
  if (m.e !== undefined) task.finishedAt = ms(m.e);
  if (m.r !== undefined) task.runAt = ms(m.r);
  if (m.g !== undefined) task.progress = m.g;
  else if (status === 'completed') task.progress = 100;
  if (m.E !== undefined) task.error = m.E;
  if (m.z !== undefined) task.cancelledBy = m.z;
  if (m.i !== undefined) task.idempotencyKey = m.i;
  if (m.L !== undefined) task.maxStalls = m.L;
  if (status === 'active') {
    if (m.W !== undefined) task.workerId = m.W;
    if (m.x !== undefined) task.leaseExpiresAt = ms(m.x);
  }
  const resultJson = outOfLine.resultJson ?? raw.result;
  if (resultJson !== undefined) task.resultData = parse(resultJson);
  return task;
}

export function toClaimedTask(pipeline: string, raw: RawTask, payloadJson?: string): ClaimedTaskRecord {
  const task = toTaskRecord(pipeline, raw, payloadJson === undefined ? {} : { payloadJson });
  return {
    ...task,
    status: 'active',
    attempt: task.attempts,
    leaseToken: raw.meta.k ?? '',
    leaseExpiresAt: raw.meta.x === undefined ? 0 : ms(raw.meta.x),
    workerId: raw.meta.W ?? '',
  } as ClaimedTaskRecord;
}
