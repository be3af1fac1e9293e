import type { FileStatus } from '../pipeline/index.js';

/*
 * The records a stage receives: read-only views of what PipelineStore returns
 * (`PipelineFileRecord`, `ClaimedTaskRecord`) holding every field a plugin may rely on and
 * nothing it may change. The store's types stay assignable to these (checked by a type test),
 * so the store can grow fields without touching the plugin interface.
 */

/** A file of a batch, as a stage sees it (e.g. in `accepts(file)` and `ctx.file`). */
export interface FileRecord {
  /** File id (from `addFileToBatch`). */
  readonly id: string;
  /** Batch the file belongs to. */
  readonly batchId: string;
  /** Path as given when the file was added (unique within the pipeline). */
  readonly path: string;
  /** File name (usually the last part of `path`). */
  readonly name: string;
  /** Content hash as given when the file was added (used to skip duplicates). */
  readonly hash: string;
  /** Size in bytes. */
  readonly size: number;
  /** MIME type, e.g. `application/pdf` (what `accepts` usually checks). */
  readonly mimeType: string;
  /** Processing status: `pending`, `processing`, `completed`, `failed` or `cancelled`. */
  readonly status: FileStatus;
  /** Progress of the file's tasks, 0–100. */
  readonly progress: number;
  /** Free-form metadata given when the file was added. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** When the file was added (epoch ms). */
  readonly createdAt: number;
  /** When the file last changed (epoch ms). */
  readonly updatedAt: number;
}

/** A task handed to one worker (from `getNextTask`), with the lease that makes it its own. */
export interface ClaimedTask<Payload = unknown> {
  /** Task id. */
  readonly id: string;
  /** Pipeline stage this task runs: the `taskType` of a `StageDefinition`. */
  readonly taskType: string;
  /** Queue the task was claimed from. */
  readonly workerType: string;
  /** File the task works on, when it has one. */
  readonly fileId?: string;
  /** Batch of that file, when it has one. */
  readonly batchId?: string;
  /** Higher runs first. */
  readonly priority: number;
  /** Which attempt this is, from 1. */
  readonly attempt: number;
  /** Attempts allowed before the task fails for good. */
  readonly maxAttempts: number;
  /** Token of this claim's lease; completing or failing the task needs it. */
  readonly leaseToken: string;
  /** When the lease runs out unless extended (epoch ms). */
  readonly leaseExpiresAt: number;
  /** Input given when the task was created. */
  readonly payload?: Payload;
}
