import { CovinaError } from '@covina/core';

export interface WorkerIdTakenContext {
  workerId: string;
  namespace: string;
  /** `alive`: another session heartbeats under this id; `recovering`: a dead session's tasks are being recovered. */
  state: 'alive' | 'recovering';
}

/**
 * `registerWorker` was given an id that is still registered. Reusing it would hide the old
 * session's tasks from recovery: use a unique id (the default), or wait for the old session to
 * be declared dead and recovered.
 */
export class WorkerIdTakenError extends CovinaError<WorkerIdTakenContext> {
  static override readonly code = 'E_WORKER_ID_TAKEN';
  declare readonly context: WorkerIdTakenContext;
}

export interface WorkerEvictedContext {
  workerId: string;
  namespace: string;
}

/**
 * This worker session was declared dead (it missed its heartbeats, e.g. the process stalled or
 * lost Redis) or removed: its tasks may already run elsewhere. Stop work in progress and
 * register again to go on.
 */
export class WorkerEvictedError extends CovinaError<WorkerEvictedContext> {
  static override readonly code = 'E_WORKER_EVICTED';
  declare readonly context: WorkerEvictedContext;
}

/** Errors of the worker registry, by code. */
export const registryErrors = {
  E_WORKER_ID_TAKEN: WorkerIdTakenError,
  E_WORKER_EVICTED: WorkerEvictedError,
} as const;
