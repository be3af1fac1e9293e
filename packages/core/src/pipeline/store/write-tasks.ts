import { randomBytes } from 'node:crypto';
import { decodeBlob, encodeBlob } from '../codec/blob.js';
import { splitRecord, toClaimedTask } from '../codec/task-record.js';
import { PayloadTooLargeError, ValidationError } from '../errors.js';
import { byteLength, chunkTasks, type PreparedTask, prepareTasks } from '../prepare-tasks.js';
import type { ClaimedTaskRecord, ClaimOptions, NewTask, TaskStatus, UpdateTaskOptions } from '../types.js';
import {
  checkArray,
  checkId,
  checkInt,
  checkKeyPart,
  checkNumber,
  checkObject,
  checkOneOf,
  checkText,
  errorMessage,
  toJson,
} from '../validate.js';
import type { StoreCore } from './core.js';

const MAX_LEASE_MS = 7 * 86_400_000;
const MAX_DELAY_MS = 10 * 365 * 86_400_000;
/** Chunks of one addTasks call sent before the first answers. */
const MAX_CHUNKS_IN_FLIGHT = 4;

export async function addTasks(
  core: StoreCore,
  tasks: readonly NewTask[],
  fieldOf: (index: number) => string,
): Promise<string[]> {
  checkArray('tasks', tasks, 1_000_000);
  if (tasks.length === 0) return [];
  const prepared = await prepareTasks(tasks, core.options, fieldOf);
  const ids: string[] = new Array(tasks.length);
  const chunks = chunkTasks(prepared, core.options.bulkChunkSize);
  const chunkOf = new Map<number, number>();
  chunks.forEach((chunk, n) => {
    for (const task of chunk) chunkOf.set(task.index, n);
  });

  const send = async (chunk: PreparedTask[]) => {
    const position = new Map(chunk.map((task, j) => [task.index, j + 1]));
    const specs = chunk.map((task) => {
      const deps: Array<string | number> = [...task.storedParents];
      // A parent of this call: its position in this chunk, or its id when an earlier chunk wrote it.
      for (const parent of task.callParents) deps.push(position.get(parent) ?? ids[parent]!);
      return deps.length > 0 ? { ...task.spec, deps } : task.spec;
    });
    const reply = await core.run(
      'plAddTasks',
      [JSON.stringify(specs), ...chunk.map((task) => task.payload)],
      (i) => fieldOf(chunk[i]?.index ?? 0),
    );
    chunk.forEach((task, j) => {
      ids[task.index] = String(reply[1 + 2 * j]);
    });
  };

  // Chunks go out back to back (Redis runs them in order) while the next one is prepared; a
  // chunk whose tasks depend on an earlier chunk's waits for their ids. After a failure no
  // further chunk is sent.
  const inFlight: Array<Promise<void>> = [];
  let failure: { error: unknown } | undefined;
  const track = (promise: Promise<void>) =>
    promise.catch((error: unknown) => {
      failure ??= { error };
    });
  for (const [n, chunk] of chunks.entries()) {
    const dependsOnEarlier = chunk.some((task) => task.callParents.some((p) => (chunkOf.get(p) ?? n) < n));
    if (dependsOnEarlier) await Promise.all(inFlight.splice(0));
    else if (inFlight.length >= MAX_CHUNKS_IN_FLIGHT) await inFlight.shift();
    if (failure) break;
    inFlight.push(track(send(chunk)));
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return ids;
}

export interface ClaimResult {
  tasks: ClaimedTaskRecord[];
  /** Earliest time a delayed task becomes ready, when fewer tasks than asked were ready. */
  nextDueAt: number | null;
}

export function claimOptions(core: StoreCore, options: ClaimOptions) {
  const opts = checkObject<ClaimOptions>('options', options);
  return {
    workerId:
      opts.workerId === undefined
        ? core.options.workerId
        : checkKeyPart('options.workerId', opts.workerId, 200),
    leaseMs:
      opts.leaseMs === undefined
        ? core.options.leaseMs
        : checkInt('options.leaseMs', opts.leaseMs, 1, MAX_LEASE_MS),
  };
}

const text = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));

export async function claimTasks(
  core: StoreCore,
  workerType: string,
  count: number,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const type = checkKeyPart('workerType', workerType, 100);
  const wanted = checkInt('count', count, 1, 10_000);
  const { workerId, leaseMs } = claimOptions(core, options);
  const token = randomBytes(12).toString('base64url');
  const tasks: ClaimedTaskRecord[] = [];
  let nextDueAt: number | null = null;
  // A claim stops after skipping 1000 stale list entries (cancelled tasks); then it is repeated.
  for (let round = 0; round < 20 && tasks.length < wanted; round++) {
    const reply = await core.runBuffer('plClaim', [type, wanted - tasks.length, token, workerId, leaseMs]);
    nextDueAt = reply[2] === null ? null : Number(reply[2]);
    for (let i = 3; i + 2 < reply.length; i += 3) {
      const id = text(reply[i]);
      const blob = reply[i + 2];
      const payloadJson = Buffer.isBuffer(blob) ? await decodeBlob(blob) : undefined;
      tasks.push(toClaimedTask(core.options.pipeline, splitRecord(id, text(reply[i + 1])), payloadJson));
    }
    if (reply[1] !== 1) break;
  }
  return { tasks, nextDueAt };
}

async function encodeResult(
  core: StoreCore,
  resultData: unknown,
): Promise<[mode: string, data: string | Buffer]> {
  const json = toJson('resultData', resultData);
  if (json === undefined) return ['', ''];
  const bytes = byteLength(json);
  if (bytes > core.options.maxResultBytes)
    throw new PayloadTooLargeError('resultData', bytes, core.options.maxResultBytes);
  if (bytes <= core.options.inlineBytes) return ['i', json];
  return ['o', await encodeBlob(json, core.options.compression, core.options.compressionThresholdBytes)];
}

const UPDATABLE: readonly TaskStatus[] = ['completed', 'failed', 'active', 'ready', 'cancelled'];

/**
 * The lease holder reports: `completed` (with `resultData`), `failed` (with `error`), `active`
 * (progress), `ready` (give it back) or `cancelled`. Returns the task's status afterwards.
 */
export async function updateTaskStatus(
  core: StoreCore,
  taskId: string,
  status: TaskStatus,
  options: UpdateTaskOptions,
): Promise<TaskStatus> {
  const id = checkId('taskId', taskId);
  const next = checkOneOf('status', status, UPDATABLE);
  const opts = checkObject<UpdateTaskOptions>('options', options);
  const token = checkText('options.leaseToken', opts.leaseToken, { max: 200 });
  switch (next) {
    case 'completed': {
      const [mode, data] = await encodeResult(core, opts.resultData);
      await core.complete({ id, token, mode, data });
      return 'completed';
    }
    case 'failed': {
      if (opts.retryable !== undefined && typeof opts.retryable !== 'boolean') {
        throw new ValidationError('options.retryable', 'must be a boolean');
      }
      const reply = await core.run('plFail', [
        id,
        token,
        errorMessage(opts.error),
        opts.retryable === false ? '0' : '1',
      ]);
      return reply[1] === 'failed' ? 'failed' : 'delayed';
    }
    case 'active': {
      if (opts.progress === undefined)
        throw new ValidationError('options.progress', 'is required with status active');
      await reportProgress(core, id, token, opts.progress);
      return 'active';
    }
    case 'ready':
      await releaseTask(core, id, token);
      return 'ready';
    default:
      await core.run('plCancel', [
        id,
        opts.error === undefined ? 'cancelled by its worker' : errorMessage(opts.error),
        token,
      ]);
      return 'cancelled';
  }
}

export async function reportProgress(
  core: StoreCore,
  taskId: string,
  leaseToken: string,
  progress: number,
): Promise<void> {
  const value = checkNumber('progress', progress, 0, 100);
  await core.run('plReport', [
    checkId('taskId', taskId),
    checkText('leaseToken', leaseToken, { max: 200 }),
    value,
    '',
  ]);
}

export async function extendLease(
  core: StoreCore,
  taskId: string,
  leaseToken: string,
  leaseMs?: number,
): Promise<number> {
  const ms = leaseMs === undefined ? core.options.leaseMs : checkInt('leaseMs', leaseMs, 1, MAX_LEASE_MS);
  const reply = await core.run('plReport', [
    checkId('taskId', taskId),
    checkText('leaseToken', leaseToken, { max: 200 }),
    '',
    ms,
  ]);
  return Number(reply[1]);
}

export async function releaseTask(
  core: StoreCore,
  taskId: string,
  leaseToken: string,
  options: { delayMs?: number } = {},
): Promise<void> {
  const opts = checkObject<{ delayMs?: number }>('options', options);
  const delay = opts.delayMs === undefined ? 0 : checkInt('options.delayMs', opts.delayMs, 0, MAX_DELAY_MS);
  await core.run('plRelease', [
    checkId('taskId', taskId),
    checkText('leaseToken', leaseToken, { max: 200 }),
    delay,
  ]);
}

export async function cancelTask(
  core: StoreCore,
  taskId: string,
  options: { reason?: string } = {},
): Promise<{ cancelled: boolean; descendants: number }> {
  const opts = checkObject<{ reason?: string }>('options', options);
  const reason =
    opts.reason === undefined ? 'cancelled' : checkText('options.reason', opts.reason, { max: 2000 });
  const reply = await core.run('plCancel', [checkId('taskId', taskId), reason, '']);
  return { cancelled: reply[1] === 1, descendants: Number(reply[2]) };
}

export async function retryTask(
  core: StoreCore,
  taskId: string,
  options: { delayMs?: number; resetAttempts?: boolean } = {},
): Promise<{ revived: number }> {
  const opts = checkObject<{ delayMs?: number; resetAttempts?: boolean }>('options', options);
  const delay = opts.delayMs === undefined ? 0 : checkInt('options.delayMs', opts.delayMs, 0, MAX_DELAY_MS);
  const reply = await core.run('plRetry', [
    checkId('taskId', taskId),
    delay,
    opts.resetAttempts === false ? '0' : '1',
  ]);
  return { revived: Number(reply[1]) };
}

const MAINTENANCE_ROUNDS = 100;

export async function recoverExpiredLeases(
  core: StoreCore,
  options: { limit?: number } = {},
): Promise<{ recovered: number; promoted: number }> {
  const limit = options.limit === undefined ? 500 : checkInt('options.limit', options.limit, 1, 10_000);
  let recovered = 0;
  let promoted = 0;
  for (let round = 0; round < MAINTENANCE_ROUNDS; round++) {
    const reply = await core.run('plRecover', ['expired', limit, '', 0]);
    recovered += Number(reply[1]);
    promoted += Number(reply[2]);
    if (Number(reply[3]) < limit && Number(reply[2]) < limit) break;
  }
  return { recovered, promoted };
}

export async function releaseTasksOfWorker(core: StoreCore, workerId: string): Promise<number> {
  const id = checkKeyPart('workerId', workerId, 200);
  const page = 500;
  let offset = 0;
  let recovered = 0;
  for (let round = 0; round < 10_000; round++) {
    const reply = await core.run('plRecover', ['worker', page, id, offset]);
    const found = Number(reply[1]);
    const scanned = Number(reply[2]);
    recovered += found;
    if (scanned < page) break;
    // Recovered tasks left the lease index: the next page starts that much earlier.
    offset += scanned - found;
  }
  return recovered;
}

export async function cleanup(
  core: StoreCore,
  options: { limit?: number; maxRounds?: number } = {},
): Promise<{ tasks: number; files: number; batches: number }> {
  const limit = options.limit === undefined ? 1000 : checkInt('options.limit', options.limit, 1, 100_000);
  const rounds =
    options.maxRounds === undefined ? 1000 : checkInt('options.maxRounds', options.maxRounds, 1, 1_000_000);
  const removed = { tasks: 0, files: 0, batches: 0 };
  for (let round = 0; round < rounds; round++) {
    const reply = await core.run('plCleanup', [limit]);
    removed.tasks += Number(reply[1]);
    removed.files += Number(reply[2]);
    removed.batches += Number(reply[3]);
    if (reply[4] !== 1) break;
  }
  return removed;
}
