import type { StateStore } from '../state/index.js';
import type { PluginHostCapabilities } from './capabilities.js';
import type { FileRecord } from './records.js';

/** One logging method: `log('message')` or `log({ fields }, 'message')` (a pino logger fits). */
export interface PluginLogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

/** The logger a host gives plugins, already bound to the plugin (and stage and task). */
export interface PluginLogger {
  debug: PluginLogFn;
  info: PluginLogFn;
  warn: PluginLogFn;
  error: PluginLogFn;
}

/** What `CovinaPlugin.setup` receives: the host's services for the plugin's whole life. */
export interface PluginContext {
  /** Name of the pipeline the plugin serves. */
  readonly pipeline: string;
  /** The plugin's configuration from the app (the plugin checks its own shape). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Logger bound to the plugin. */
  readonly logger: PluginLogger;
  /** Key-value state of the plugin (a StateStore namespaced by the plugin's name). */
  readonly state: StateStore;
  /** Aborted when the host shuts down; stop background work on it. */
  readonly signal: AbortSignal;
  /** The host's API version and optional features. */
  readonly capabilities: PluginHostCapabilities;
}

/** What `StageDefinition.run` receives for one task. */
export interface StageContext {
  /** Name of the pipeline the task belongs to. */
  readonly pipeline: string;
  /** Id of the worker running the task. */
  readonly workerId: string;
  /** The task's file, loaded by the host, when the task has one. */
  readonly file?: FileRecord;
  /**
   * Aborted when the stage must stop: its `timeoutMs` passed, the lease was lost (another
   * worker may now own the task) or the worker is shutting down. Pass it on to fetch, streams
   * and child processes; whatever `run` returns after it fired is discarded.
   */
  readonly signal: AbortSignal;
  /** Logger bound to the plugin, stage and task. */
  readonly logger: PluginLogger;
  /** The plugin's key-value state (same store as `PluginContext.state`). */
  readonly state: StateStore;
  /** The host's API version and optional features. */
  readonly capabilities: PluginHostCapabilities;
  /**
   * Records the task's progress, 0–100 (published as a `task:progress` event). Cheap to call
   * often: hosts may coalesce updates.
   */
  reportProgress(progress: number, details?: Readonly<Record<string, unknown>>): Promise<void>;
  /**
   * Pushes the lease expiry `ms` milliseconds from now (default: the lease duration). Hosts
   * renew leases on their own while `run` is pending; call this only around long blocking
   * work. Present when `capabilities.leaseExtension` is true.
   */
  extendLease?(ms?: number): Promise<void>;
}
