import { CovinaError } from '../errors/covina-error.js';

/** Which plugin, which field, and what is wrong with it. */
export interface PluginValidationContext {
  /** The plugin's name, when it has a usable one. */
  plugin?: string;
  /** Path of the field at fault, e.g. `stages[1].after[0]`. */
  field: string;
  /** What was expected. */
  reason: string;
}

/** A plugin (or a set of plugins) is malformed, or needs more than this host offers. */
export class PluginValidationError extends CovinaError<PluginValidationContext> {
  static override readonly code = 'E_PLUGIN_INVALID';
  declare readonly context: PluginValidationContext;

  constructor(plugin: string | undefined, field: string, reason: string) {
    super(`Plugin ${plugin === undefined ? '(unnamed)' : JSON.stringify(plugin)}: ${field} ${reason}`, {
      context: plugin === undefined ? { field, reason } : { plugin, field, reason },
    });
  }
}

/** Errors of plugin validation, by code. */
export const pluginErrors = {
  E_PLUGIN_INVALID: PluginValidationError,
} as const;
