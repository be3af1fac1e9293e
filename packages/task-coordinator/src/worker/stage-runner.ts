import {
  type ClaimedTaskRecord,
  PLUGIN_API_VERSION,
  type PluginHostCapabilities,
  type PluginLogger,
  type StageContext,
  type StageDefinition,
  StateStore,
} from '@covina/core';
import { NonRetryableError } from './errors.js';
import type { Outcome } from './running-task.js';
import type { TaskContext } from './task-context.js';

const CAPABILITIES: PluginHostCapabilities = Object.freeze({
  apiVersion: PLUGIN_API_VERSION,
  leaseExtension: true,
});

/** The result stored for a task whose stage did not accept its file. */
export interface SkippedResult {
  skipped: true;
  reason: string;
}

interface StageRunnerOptions {
  stages: readonly StageDefinition[];
  logger: PluginLogger;
  state: StateStore | undefined;
  /** Key prefix of the default state stores. */
  prefix: string;
}

/**
 * Runs plugin stages as a worker's handler: picks the stage of the task's type, loads the
 * task's file, asks `accepts(file)` and calls `run(task, ctx)` with a `StageContext`.
 */
export class StageRunner {
  readonly #stages: Map<string, StageDefinition>;
  readonly #logger: PluginLogger;
  readonly #states = new Map<string, StateStore>();
  readonly #state: StateStore | undefined;
  readonly #prefix: string;

  constructor(options: StageRunnerOptions) {
    this.#prefix = options.prefix;
    this.#stages = new Map(options.stages.map((s) => [s.taskType, s]));
    this.#logger = options.logger;
    this.#state = options.state;
  }

  async execute(task: ClaimedTaskRecord, ctx: TaskContext): Promise<Outcome> {
    const stage = this.#stages.get(task.taskType);
    if (!stage) {
      throw new NonRetryableError(
        `No stage for task type "${task.taskType}" on the workers of "${task.workerType}" (this worker runs ${[
          ...this.#stages.keys(),
        ].join(', ')})`,
      );
    }
    const file =
      task.fileId === undefined ? undefined : ((await ctx.store.getFileById(task.fileId)) ?? undefined);
    if (file && stage.accepts && !stage.accepts(file)) {
      const result: SkippedResult = {
        skipped: true,
        reason: `stage ${stage.taskType} does not accept ${file.mimeType} files`,
      };
      return { result, skipped: true };
    }
    const stageCtx: StageContext = {
      pipeline: ctx.pipeline,
      workerId: ctx.workerId,
      ...(file ? { file } : {}),
      signal: ctx.signal,
      logger: this.#bind(stage, task),
      state: this.#stateOf(stage, ctx),
      capabilities: CAPABILITIES,
      reportProgress: (progress) => ctx.reportProgress(progress),
      extendLease: (ms) => ctx.extendLease(ms),
    };
    return { result: await stage.run(task, stageCtx), skipped: false };
  }

  #stateOf(stage: StageDefinition, ctx: TaskContext): StateStore {
    if (this.#state) return this.#state;
    let state = this.#states.get(stage.taskType);
    if (!state) {
      state = new StateStore({
        redis: ctx.store.redis,
        namespace: `stage.${stage.taskType}`,
        prefix: this.#prefix,
      });
      this.#states.set(stage.taskType, state);
    }
    return state;
  }

  /** The logger with the stage and task in every line (pino's `child` when there is one). */
  #bind(stage: StageDefinition, task: ClaimedTaskRecord): PluginLogger {
    const fields = { stage: stage.taskType, taskId: task.id, attempt: task.attempt };
    const child = (this.#logger as { child?: (bindings: object) => PluginLogger }).child;
    return typeof child === 'function' ? child.call(this.#logger, fields) : this.#logger;
  }
}
