import type { ClaimedTaskRecord, PipelineStore } from '@covina/core';

/** What a handler receives besides the task. */
export interface TaskContext {
  /** The pipeline's name. */
  readonly pipeline: string;
  /** Id of the worker running the task (the lease holder). */
  readonly workerId: string;
  /**
   * Aborts when the handler must stop: its timeout passed (`TaskTimeoutError`), the task was
   * cancelled (`TaskCancelledError`), the lease was lost (`LeaseLostError`: another worker may
   * own the task now), the worker was declared dead (`WorkerEvictedError`) or it is closing
   * past its deadline (`WorkerClosingError`). Whatever the handler returns after it fired is
   * discarded. Pass it on to fetch, streams and child processes.
   */
  readonly signal: AbortSignal;
  /** The store the task came from (read files, add follow-up tasks). */
  readonly store: PipelineStore;
  /** Records progress 0..100 (a `task:progress` event); needs the lease, like every write. */
  reportProgress(progress: number): Promise<void>;
  /**
   * Pushes the lease expiry `ms` from now (default: the worker's `leaseMs`). The worker renews
   * leases on its own every `heartbeatMs`; call this only before a long stretch that blocks the
   * event loop.
   */
  extendLease(ms?: number): Promise<void>;
}

/** Runs one task; its result becomes the task's `resultData` (keep it JSON-serialisable). */
export type TaskHandler<Payload = unknown, Result = unknown> = (
  task: ClaimedTaskRecord<Payload>,
  ctx: TaskContext,
) => Promise<Result> | Result;
