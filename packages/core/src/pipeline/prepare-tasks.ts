import { encodeBlob } from './codec/blob.js';
import { DependencyCycleError, PayloadTooLargeError, ValidationError } from './errors.js';
import type { ResolvedPipelineOptions } from './options.js';
import type { NewTask } from './types.js';
import {
  checkArray,
  checkId,
  checkInt,
  checkKeyPart,
  checkObject,
  checkPositiveInt,
  checkText,
  toJson,
} from './validate.js';

/** A task spec as add-tasks-17.lua reads it (short names: it travels once per task). */
export interface TaskSpec {
  w: string;
  y: string;
  p: number;
  m: number;
  f?: string;
  b?: string;
  B?: number;
  L?: number;
  d?: number;
  r?: number;
  i?: string;
  D?: 1;
  /** Parents: stored ids (strings) or, filled per chunk, 1-based positions in the chunk. */
  deps?: Array<string | number>;
  A?: string[];
  a?: string[];
}

/** One validated task, in the order it must be written. */
export interface PreparedTask {
  /** Position in the caller's array. */
  index: number;
  spec: Omit<TaskSpec, 'deps'>;
  /** Stored task ids this task depends on. */
  storedParents: string[];
  /** Positions (caller's array) of tasks of this call it depends on. */
  callParents: number[];
  /** Inline payload text, or the out-of-line blob. */
  payload: string | Buffer;
}

export const PRIORITY_LIMIT = 1_000_000_000;
const MAX_ATTEMPTS_LIMIT = 1000;
const MAX_DELAY_MS = 10 * 365 * 86_400_000;
const MAX_PARENTS = 10_000;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function validateOne(
  task: NewTask,
  field: string,
  options: ResolvedPipelineOptions,
): Omit<PreparedTask, 'index' | 'callParents' | 'storedParents' | 'payload'> & {
  payloadJson: string | undefined;
  dependsOn: string[];
  afterTasks: string[];
  ref?: string;
} {
  const t = checkObject<NewTask>(field, task);
  const spec: Omit<TaskSpec, 'deps'> = {
    w: checkKeyPart(`${field}.workerType`, t.workerType, 100),
    y: checkText(`${field}.taskType`, t.taskType, { max: 200 }),
    p:
      t.priority === undefined
        ? 0
        : checkInt(`${field}.priority`, t.priority, -PRIORITY_LIMIT, PRIORITY_LIMIT),
    m:
      t.maxAttempts === undefined
        ? options.maxAttempts
        : checkInt(`${field}.maxAttempts`, t.maxAttempts, 1, MAX_ATTEMPTS_LIMIT),
  };
  if (t.fileId !== undefined) spec.f = checkId(`${field}.fileId`, t.fileId);
  if (t.batchId !== undefined) spec.b = checkId(`${field}.batchId`, t.batchId);
  const maxStalls =
    t.maxStalls === undefined
      ? options.maxStalls
      : checkInt(`${field}.maxStalls`, t.maxStalls, 0, MAX_ATTEMPTS_LIMIT);
  if (maxStalls !== undefined) spec.L = maxStalls;
  if (t.backoffMs !== undefined) spec.B = checkPositiveInt(`${field}.backoffMs`, t.backoffMs);
  if (t.delayMs !== undefined && t.runAt !== undefined) {
    throw new ValidationError(`${field}.runAt`, 'cannot be combined with delayMs: give one of them');
  }
  if (t.delayMs !== undefined) {
    const delay = checkInt(`${field}.delayMs`, t.delayMs, 0, MAX_DELAY_MS);
    if (delay > 0) spec.d = delay;
  }
  if (t.runAt !== undefined) {
    const at = t.runAt instanceof Date ? t.runAt.getTime() : t.runAt;
    spec.r = checkInt(`${field}.runAt`, at, 0, Date.now() + MAX_DELAY_MS);
  }
  if (t.idempotencyKey !== undefined)
    spec.i = checkText(`${field}.idempotencyKey`, t.idempotencyKey, { max: 500 });

  const dependsOn = (
    t.dependsOn === undefined ? [] : checkArray(`${field}.dependsOn`, t.dependsOn, MAX_PARENTS)
  ).map((dep, j) => checkText(`${field}.dependsOn[${j}]`, dep, { max: 200 }));
  const afterTasks = (
    t.afterTasks === undefined ? [] : checkArray(`${field}.afterTasks`, t.afterTasks, MAX_PARENTS)
  ).map((type, j) => checkText(`${field}.afterTasks[${j}]`, type, { max: 200 }));
  if (afterTasks.length > 0 && spec.f === undefined) {
    throw new ValidationError(`${field}.afterTasks`, 'needs fileId (it names task types of the same file)');
  }
  const payloadJson = toJson(`${field}.payload`, t.payload);
  if (payloadJson !== undefined && byteLength(payloadJson) > options.maxPayloadBytes) {
    throw new PayloadTooLargeError(`${field}.payload`, byteLength(payloadJson), options.maxPayloadBytes);
  }
  const result = { spec, payloadJson, dependsOn, afterTasks };
  return t.ref === undefined ? result : { ...result, ref: checkText(`${field}.ref`, t.ref, { max: 200 }) };
}

/** Kahn's algorithm, stable (ties keep the caller's order); a cycle is reported with its path. */
function topologicalOrder(parents: number[][], describe: (i: number) => string): number[] {
  const children: number[][] = parents.map(() => []);
  const open = parents.map((list) => list.length);
  parents.forEach((list, child) => {
    for (const parent of list) children[parent]!.push(child);
  });
  const order: number[] = [];
  const ready = open.flatMap((n, i) => (n === 0 ? [i] : []));
  // A min-heap would keep strict input order; input order of the ready set is enough here.
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head]!;
    order.push(i);
    for (const child of children[i]!) {
      open[child]! -= 1;
      if (open[child] === 0) ready.push(child);
    }
  }
  if (order.length === parents.length) return order;

  // Walk parents from a task left over until one repeats: that is a cycle.
  const done = new Set(order);
  let current = parents.findIndex((_, i) => !done.has(i));
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = parents[current]!.find((p) => !done.has(p))!;
  }
  const cycle = [...path.slice(seenAt.get(current)!), current].reverse().map(describe);
  throw new DependencyCycleError(`Tasks depend on each other in a circle: ${cycle.join(' → ')}`, {
    context: { cycle },
  });
}

/**
 * Validates a bulk insert and orders it parents-first. Nothing is written: any bad field throws
 * a ValidationError (or PayloadTooLargeError, DependencyCycleError) naming it.
 */
export async function prepareTasks(
  tasks: readonly NewTask[],
  options: ResolvedPipelineOptions,
  fieldOf: (index: number) => string,
): Promise<PreparedTask[]> {
  const validated = tasks.map((task, i) => validateOne(task, fieldOf(i), options));

  const byRef = new Map<string, number>();
  const byKey = new Map<string, number>();
  validated.forEach((v, i) => {
    if (v.ref !== undefined) {
      if (byRef.has(v.ref))
        throw new ValidationError(`${fieldOf(i)}.ref`, `"${v.ref}" is used twice in this call`);
      byRef.set(v.ref, i);
    }
    if (v.spec.i !== undefined) {
      if (byKey.has(v.spec.i)) {
        throw new ValidationError(`${fieldOf(i)}.idempotencyKey`, 'is used twice in this call');
      }
      byKey.set(v.spec.i, i);
    }
  });

  const storedParents: string[][] = [];
  const callParents: number[][] = validated.map((v, i) => {
    const inCall = new Set<number>();
    const stored: string[] = [];
    v.dependsOn.forEach((dep, j) => {
      const ref = byRef.get(dep);
      if (ref === i) throw new ValidationError(`${fieldOf(i)}.dependsOn[${j}]`, 'is the task itself');
      if (ref !== undefined) inCall.add(ref);
      else stored.push(checkId(`${fieldOf(i)}.dependsOn[${j}]`, dep));
    });
    const required: string[] = [];
    const optional: string[] = [];
    for (const type of new Set(v.afterTasks)) {
      let matched = false;
      validated.forEach((other, o) => {
        if (o !== i && other.spec.f === v.spec.f && other.spec.y === type) {
          inCall.add(o);
          matched = true;
        }
      });
      (matched ? optional : required).push(type);
    }
    if (required.length > 0) v.spec.A = required;
    if (optional.length > 0) v.spec.a = optional;
    storedParents.push([...new Set(stored)]);
    return [...inCall];
  });

  const order = topologicalOrder(callParents, (i) => `${fieldOf(i)} (${validated[i]!.spec.y})`);

  return Promise.all(
    order.map(async (index) => {
      const v = validated[index]!;
      let payload: string | Buffer = v.payloadJson ?? '';
      if (v.payloadJson !== undefined && byteLength(v.payloadJson) > options.inlineBytes) {
        v.spec.D = 1;
        payload = await encodeBlob(v.payloadJson, options.compression, options.compressionThresholdBytes);
      }
      return {
        index,
        spec: v.spec,
        storedParents: storedParents[index]!,
        callParents: callParents[index]!,
        payload,
      };
    }),
  );
}

/** Splits prepared tasks into round trips: at most `size` tasks and about `maxBytes` of payload each. */
export function chunkTasks(
  prepared: PreparedTask[],
  size: number,
  maxBytes = 8 * 1024 * 1024,
): PreparedTask[][] {
  const chunks: PreparedTask[][] = [];
  let current: PreparedTask[] = [];
  let bytes = 0;
  for (const task of prepared) {
    const length = typeof task.payload === 'string' ? byteLength(task.payload) : task.payload.length;
    if (current.length > 0 && (current.length >= size || bytes + length > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(task);
    bytes += length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
