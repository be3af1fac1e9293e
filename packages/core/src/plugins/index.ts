export {
  PLUGIN_API_VERSION,
  PLUGIN_FEATURES,
  type PluginFeature,
  type PluginHostCapabilities,
  STAGE_DEFAULTS,
} from './capabilities.js';
export type { PluginContext, PluginLogFn, PluginLogger, StageContext } from './context.js';
export { definePlugin, defineStage } from './define-plugin.js';
export { type PluginValidationContext, PluginValidationError, pluginErrors } from './errors.js';
export type { CovinaPlugin, StageDefinition } from './plugin.js';
export type { ClaimedTask, FileRecord } from './records.js';
export {
  type ResolvedStage,
  type ValidatePluginOptions,
  validatePlugin,
  validatePlugins,
} from './validate-plugin.js';
