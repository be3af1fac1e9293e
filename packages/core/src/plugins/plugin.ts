import type { PluginFeature } from './capabilities.js';
import type { PluginContext, StageContext } from './context.js';
import type { ClaimedTask, FileRecord } from './records.js';

/**
 * One pipeline stage: the work done for tasks of one `taskType`.
 *
 * `Payload` types `task.payload`, `Result` what `run` resolves to (stored as the task's
 * `resultData`, so keep it JSON-serialisable).
 */
export interface StageDefinition<Payload = unknown, Result = unknown> {
  /**
   * Task type this stage runs, unique across the app's plugins, e.g. `ocr`. Letters, digits,
   * `_`, `.` and `-` (it appears in Redis keys and metric labels).
   */
  readonly taskType: string;
  /**
   * Queue (worker pool) its tasks go to; stages sharing a worker type share workers.
   * @default taskType
   */
  readonly workerType?: string;
  /**
   * Task types of the same file that must complete before this stage runs (this plugin's or
   * another loaded plugin's stages).
   * @default []
   */
  readonly after?: readonly string[];
  /** One line for CLIs and dashboards. */
  readonly description?: string;
  /**
   * Tasks of this stage one worker process runs at once.
   * @default STAGE_DEFAULTS.concurrency (1)
   */
  readonly concurrency?: number;
  /**
   * Attempts before a task fails for good (then its descendants are cancelled).
   * @default STAGE_DEFAULTS.maxAttempts (3)
   */
  readonly maxAttempts?: number;
  /**
   * Time one attempt may take, in milliseconds; then `ctx.signal` aborts and the attempt
   * fails (and is retried if attempts remain).
   * @default no limit (the lease still bounds a dead worker)
   */
  readonly timeoutMs?: number;
  /**
   * Whether this stage applies to a file, e.g. by MIME type. A stage without it accepts
   * every file. Must be synchronous and cheap: it runs for every file added.
   */
  accepts?(file: FileRecord): boolean;
  /** Does the work. The resolved value becomes the task's `resultData`; a throw fails the attempt. */
  run(task: ClaimedTask<Payload>, ctx: StageContext): Promise<Result>;
}

/**
 * A COVINA plugin: an object a package exports, which the app and the Worker runner load.
 * Check one with `validatePlugin`, a set with `validatePlugins`; write one with `definePlugin`.
 */
export interface CovinaPlugin {
  /** Unique name, e.g. `@covina/plugin-ocr` (npm package names fit). */
  readonly name: string;
  /** The plugin's version, semver (`1.2.0`). */
  readonly version: string;
  /**
   * Plugin API version the plugin was written for; a host implementing an older one refuses
   * the plugin.
   * @default 1
   */
  readonly apiVersion?: number;
  /**
   * Optional host features the plugin cannot work without; a host lacking one refuses it.
   * @default []
   */
  readonly requires?: readonly PluginFeature[];
  /** One line for CLIs and dashboards. */
  readonly description?: string;
  /**
   * Pipeline stages this plugin adds.
   * @default []
   */
  readonly stages?: readonly StageDefinition[];
  /** Called once before any stage runs (open clients, warm models). A throw stops the host's start. */
  setup?(ctx: PluginContext): void | Promise<void>;
  /** Called once at shutdown, after the last `run` settled (close what `setup` opened). */
  teardown?(): void | Promise<void>;
}
