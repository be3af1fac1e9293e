/**
 * Version of the plugin interface this package implements. It grows by adding optional
 * members, each announced by a feature flag, so plugins written for an older version keep
 * working; the version only changes if a member has to change meaning.
 */
export const PLUGIN_API_VERSION = 1;

/**
 * Optional host features a plugin may use after checking `ctx.capabilities`, or demand up
 * front with `CovinaPlugin.requires` (then a host without them refuses the plugin at load).
 */
export const PLUGIN_FEATURES = [
  /** `StageContext.extendLease()` exists: a stage may push its lease expiry out itself. */
  'leaseExtension',
] as const;

/** One optional host feature. */
export type PluginFeature = (typeof PLUGIN_FEATURES)[number];

/** What the host running a plugin supports: its API version and one flag per optional feature. */
export type PluginHostCapabilities = {
  /** The host's `PLUGIN_API_VERSION`. */
  readonly apiVersion: number;
} & { readonly [F in PluginFeature]: boolean };

/** Defaults a host applies to a `StageDefinition` that leaves a field out. */
export const STAGE_DEFAULTS = {
  /** Tasks of the stage run at once per worker process. */
  concurrency: 1,
  /** Attempts before a task fails for good. */
  maxAttempts: 3,
} as const;
