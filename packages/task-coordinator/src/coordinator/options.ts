import type { PipelineStore } from '@covina/core';
import type { WorkerRegistry } from '../registry/worker-registry.js';

export interface CoordinatorOptions {
  /** The pipeline to submit to and report on. The coordinator never closes it. */
  store: PipelineStore;
  /**
   * The registry the pipeline's workers register in.
   * @default a registry on the store's client, namespace = the pipeline's name (what `Worker` uses)
   */
  registry?: WorkerRegistry;
  /**
   * Key prefix of the default registry.
   * @default the store's prefix
   */
  prefix?: string;
}

/** A task to submit: `taskType` and its data, the rest optional. */
export interface SubmitTaskInput<Data = unknown> {
  /** What the task does, e.g. `ocr`. Letters, digits, `_-.~/@+=`. */
  taskType: string;
  /** Input handed to the worker (`task.payload`): any JSON-serialisable value. */
  taskData?: Data;
  /** Queue of the workers that run it. @default taskType */
  workerType?: string;
  /** Higher runs first. @default 0 */
  priority?: number;
  /** The file it works on. */
  fileId?: string;
  /** The batch, for a task without a file. */
  batchId?: string;
  /** Task types of the same file that must complete first. */
  afterTasks?: string[];
  /** Ids of tasks that must complete first. */
  dependsOn?: string[];
  /** Attempts before it fails for good. @default the store's `maxAttempts` */
  maxAttempts?: number;
  /** Do not run before this many ms from now. */
  delayMs?: number;
  /** Submitting again with the same key returns the first task's id. */
  idempotencyKey?: string;
}
