import { CovinaError } from '../errors/covina-error.js';

export interface ValidationContext {
  /** The argument or option at fault, e.g. `tasks[3].priority`, `options.leaseMs`. */
  field: string;
  /** What was expected. */
  reason: string;
}

/** An argument was rejected before anything reached Redis: nothing was written. */
export class ValidationError extends CovinaError<ValidationContext> {
  static override readonly code = 'E_VALIDATION';
  declare readonly context: ValidationContext;

  constructor(field: string, reason: string, cause?: unknown) {
    super(`${field} ${reason}`, { context: { field, reason }, ...(cause === undefined ? {} : { cause }) });
  }
}

export interface PayloadTooLargeContext {
  /** `payload`, `tasks[2].payload` or `resultData`. */
  field: string;
  /** Size of the JSON text, in bytes. */
  bytes: number;
  /** The store's limit (`maxPayloadBytes` or `maxResultBytes`). */
  limit: number;
}

/** A payload or result is larger than the store accepts; nothing was written. */
export class PayloadTooLargeError extends CovinaError<PayloadTooLargeContext> {
  static override readonly code = 'E_PAYLOAD_TOO_LARGE';
  declare readonly context: PayloadTooLargeContext;

  constructor(field: string, bytes: number, limit: number) {
    super(`${field} is ${bytes} bytes of JSON, above the limit of ${limit}`, {
      context: { field, bytes, limit },
    });
  }
}

export interface TaskNotFoundContext {
  /** The task id (or, for `afterTasks`, the task type) that matched nothing. */
  taskId: string;
  /** Where it was referenced, e.g. `tasks[1].dependsOn`, when it was a reference. */
  field?: string;
}

/** No task has this id (never existed, or removed by cleanup after its retention). */
export class TaskNotFoundError extends CovinaError<TaskNotFoundContext> {
  static override readonly code = 'E_TASK_NOT_FOUND';
  declare readonly context: TaskNotFoundContext;
}

/** No file has this id. */
export class FileNotFoundError extends CovinaError<{ fileId: string; field?: string }> {
  static override readonly code = 'E_FILE_NOT_FOUND';
  declare readonly context: { fileId: string; field?: string };
}

/** No batch has this id. */
export class BatchNotFoundError extends CovinaError<{ batchId: string; field?: string }> {
  static override readonly code = 'E_BATCH_NOT_FOUND';
  declare readonly context: { batchId: string; field?: string };
}

/** The tasks of one `addTasks` call depend on each other in a circle. */
export class DependencyCycleError extends CovinaError<{ cycle: string[] }> {
  static override readonly code = 'E_DEPENDENCY_CYCLE';
  /** `cycle`: the tasks on the circle, as `tasks[i] (taskType)`, first one repeated at the end. */
  declare readonly context: { cycle: string[] };
}

export interface LeaseLostContext {
  taskId: string;
  /** The task's status now (`active` means another worker holds it). */
  status: string;
}

/**
 * The lease token is not the task's current one: the lease expired and the task was
 * recovered, it was cancelled, or another worker holds it now. Nothing was changed.
 */
export class LeaseLostError extends CovinaError<LeaseLostContext> {
  static override readonly code = 'E_LEASE_LOST';
  declare readonly context: LeaseLostContext;
}

export interface InvalidStateContext {
  taskId: string;
  /** The task's status. */
  status: string;
  /** What the call needed. */
  expected: string;
  /** The parent that blocks a retry, when that is the reason. */
  parentId?: string;
}

/** The task is not in a status that allows this call (e.g. retrying a completed task). */
export class InvalidStateError extends CovinaError<InvalidStateContext> {
  static override readonly code = 'E_INVALID_STATE';
  declare readonly context: InvalidStateContext;
}

/** A Lua script answered something this version of the store does not understand. */
export class PipelineScriptError extends CovinaError<{ script: string; reply: string }> {
  static override readonly code = 'E_PIPELINE_SCRIPT';
  declare readonly context: { script: string; reply: string };
}

/** Errors of the PipelineStore, by code. */
export const pipelineErrors = {
  E_VALIDATION: ValidationError,
  E_PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  E_TASK_NOT_FOUND: TaskNotFoundError,
  E_FILE_NOT_FOUND: FileNotFoundError,
  E_BATCH_NOT_FOUND: BatchNotFoundError,
  E_DEPENDENCY_CYCLE: DependencyCycleError,
  E_LEASE_LOST: LeaseLostError,
  E_INVALID_STATE: InvalidStateError,
  E_PIPELINE_SCRIPT: PipelineScriptError,
} as const;
