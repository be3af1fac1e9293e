export {
  NonRetryableError,
  type TaskCancelledContext,
  TaskCancelledError,
  type TaskTimeoutContext,
  TaskTimeoutError,
  type WorkerClosingContext,
  WorkerClosingError,
  workerErrors,
} from './errors.js';
export type {
  LeaseLostEvent,
  TaskDoneEvent,
  TaskFailedEvent,
  TaskReleasedEvent,
  TaskStartEvent,
  WorkerEvents,
} from './events.js';
export { workerTemplates } from './liveness.js';
export type { ResolvedWorkerOptions, WorkerOptions } from './options.js';
export type { SkippedResult } from './stage-runner.js';
export type { TaskContext, TaskHandler } from './task-context.js';
export { type CloseOptions, Worker, type WorkerCounters } from './worker.js';
