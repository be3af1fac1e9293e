import type { CovinaPlugin, StageDefinition } from './plugin.js';

/**
 * Returns `plugin` unchanged; it exists so an object literal is checked against
 * `CovinaPlugin` where it is written and keeps its exact type for the caller.
 *
 * ```ts
 * export default definePlugin({
 *   name: '@acme/plugin-ocr',
 *   version: '1.0.0',
 *   stages: [defineStage<{ language: string }>({ taskType: 'ocr', run: async (task) => ocr(task.payload) })],
 * });
 * ```
 */
export function definePlugin<const P extends CovinaPlugin>(plugin: P): P {
  return plugin;
}

/** Returns `stage` unchanged, typing `task.payload` as `Payload` and `run`'s result as `Result`. */
export function defineStage<Payload = unknown, Result = unknown>(
  stage: StageDefinition<Payload, Result>,
): StageDefinition<Payload, Result> {
  return stage;
}
