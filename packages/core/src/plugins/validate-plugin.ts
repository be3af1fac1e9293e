import { PLUGIN_API_VERSION, PLUGIN_FEATURES, type PluginHostCapabilities } from './capabilities.js';
import { PluginValidationError } from './errors.js';
import type { CovinaPlugin, StageDefinition } from './plugin.js';

/** Options of `validatePlugin`. */
export interface ValidatePluginOptions {
  /**
   * Task types of other loaded plugins, which `after` may name besides the plugin's own.
   * @default []
   */
  knownTaskTypes?: Iterable<string>;
  /**
   * The host that will run the plugin: its API version and features are checked against
   * `apiVersion` and `requires`.
   * @default this package's: PLUGIN_API_VERSION, every feature of PLUGIN_FEATURES
   */
  host?: PluginHostCapabilities;
}

/** A stage with the plugin that defines it, as `validatePlugins` orders them. */
export interface ResolvedStage {
  readonly plugin: CovinaPlugin;
  readonly stage: StageDefinition;
}

/** Task and worker types: they appear in Redis keys and metric labels. */
const TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const PLUGIN_NAME = /^[^\s\p{Cc}]{1,214}$/u;

const thisHost = Object.freeze({
  apiVersion: PLUGIN_API_VERSION,
  ...Object.fromEntries(PLUGIN_FEATURES.map((f) => [f, true])),
}) as PluginHostCapabilities;

/**
 * Checks one plugin's shape and throws `PluginValidationError` naming the first bad field:
 * name and semver version present, every stage with a valid and unique `taskType` and a
 * `run` function, `after` naming known stages without cycles, positive integer limits, and an
 * `apiVersion` / `requires` the host supports. Calls nothing on the plugin.
 */
export function validatePlugin(
  plugin: unknown,
  options: ValidatePluginOptions = {},
): asserts plugin is CovinaPlugin {
  const known = new Set(options.knownTaskTypes ?? []);
  const checked = checkShape(plugin, options.host ?? thisHost);
  for (const stage of checked.stages ?? []) known.add(stage.taskType);
  checked.stages?.forEach((stage, i) => {
    stage.after?.forEach((parent, j) => {
      if (!known.has(parent)) {
        fail(checked, `stages[${i}].after[${j}]`, `names unknown stage ${JSON.stringify(parent)}`);
      }
    });
  });
  checkAcyclic([{ plugin: checked, stages: checked.stages ?? [] }]);
}

/**
 * Checks the plugins an app loads, together: each as `validatePlugin` does, plus unique
 * plugin names, task types unique across plugins, and `after` links (which may cross plugins)
 * that resolve and form no cycle. Returns every stage, parents before children.
 */
export function validatePlugins(
  plugins: readonly unknown[],
  options: Omit<ValidatePluginOptions, 'knownTaskTypes'> = {},
): ResolvedStage[] {
  if (!Array.isArray(plugins)) throw new PluginValidationError(undefined, 'plugins', 'must be an array');
  const checked = plugins.map((p) => checkShape(p, options.host ?? thisHost));
  const names = new Map<string, number>();
  const owners = new Map<string, CovinaPlugin>();
  checked.forEach((plugin, i) => {
    const first = names.get(plugin.name);
    if (first !== undefined) fail(plugin, 'name', `is also the name of plugins[${first}]`);
    names.set(plugin.name, i);
    plugin.stages?.forEach((stage, j) => {
      const owner = owners.get(stage.taskType);
      if (owner)
        fail(
          plugin,
          `stages[${j}].taskType`,
          `${JSON.stringify(stage.taskType)} is also a stage of ${JSON.stringify(owner.name)}`,
        );
      owners.set(stage.taskType, plugin);
    });
  });
  const allTypes = [...owners.keys()];
  for (const plugin of checked) validatePlugin(plugin, { ...options, knownTaskTypes: allTypes });
  return checkAcyclic(checked.map((plugin) => ({ plugin, stages: plugin.stages ?? [] })));
}

/** Everything about one plugin that needs no other plugin. */
function checkShape(value: unknown, host: PluginHostCapabilities): CovinaPlugin {
  if (typeof value !== 'object' || value === null) {
    throw new PluginValidationError(undefined, 'plugin', 'must be an object (did you export it as default?)');
  }
  const plugin = value as Partial<CovinaPlugin>;
  if (typeof plugin.name !== 'string' || !PLUGIN_NAME.test(plugin.name)) {
    throw new PluginValidationError(
      undefined,
      'name',
      'must be a non-empty string without whitespace (at most 214 characters)',
    );
  }
  const p = plugin as CovinaPlugin;
  if (typeof p.version !== 'string' || !SEMVER.test(p.version))
    fail(p, 'version', 'must be a semver version such as 1.0.0');
  if (p.apiVersion !== undefined) {
    if (!Number.isSafeInteger(p.apiVersion) || p.apiVersion < 1)
      fail(p, 'apiVersion', 'must be a positive integer');
    if (p.apiVersion > host.apiVersion) {
      fail(
        p,
        'apiVersion',
        `is ${p.apiVersion} but this host implements plugin API ${host.apiVersion}; upgrade @covina/core`,
      );
    }
  }
  if (p.requires !== undefined) {
    if (!Array.isArray(p.requires)) fail(p, 'requires', 'must be an array of feature names');
    p.requires.forEach((feature, i) => {
      if ((host as unknown as Record<string, unknown>)[feature] !== true) {
        fail(p, `requires[${i}]`, `needs feature ${JSON.stringify(feature)}, which this host lacks`);
      }
    });
  }
  for (const hook of ['setup', 'teardown'] as const) {
    if (p[hook] !== undefined && typeof p[hook] !== 'function')
      fail(p, hook, 'must be a function when present');
  }
  if (p.stages !== undefined) {
    if (!Array.isArray(p.stages)) fail(p, 'stages', 'must be an array of stage definitions');
    const seen = new Set<string>();
    p.stages.forEach((stage, i) => {
      checkStage(p, stage, `stages[${i}]`);
      if (seen.has(stage.taskType))
        fail(p, `stages[${i}].taskType`, `repeats ${JSON.stringify(stage.taskType)}`);
      seen.add(stage.taskType);
    });
  }
  return p;
}

function checkStage(plugin: CovinaPlugin, value: unknown, field: string): asserts value is StageDefinition {
  if (typeof value !== 'object' || value === null) fail(plugin, field, 'must be a stage definition object');
  const stage = value as Partial<StageDefinition>;
  if (typeof stage.taskType !== 'string' || !TYPE_NAME.test(stage.taskType)) {
    fail(
      plugin,
      `${field}.taskType`,
      'must be 1–100 letters, digits, "_", "." or "-", starting with a letter or digit',
    );
  }
  if (
    stage.workerType !== undefined &&
    (typeof stage.workerType !== 'string' || !TYPE_NAME.test(stage.workerType))
  ) {
    fail(
      plugin,
      `${field}.workerType`,
      'must be 1–100 letters, digits, "_", "." or "-", starting with a letter or digit',
    );
  }
  if (typeof stage.run !== 'function') fail(plugin, `${field}.run`, 'must be a function');
  if (stage.accepts !== undefined && typeof stage.accepts !== 'function') {
    fail(plugin, `${field}.accepts`, 'must be a function when present');
  }
  for (const limit of ['concurrency', 'maxAttempts', 'timeoutMs'] as const) {
    const n = stage[limit];
    if (n !== undefined && !(Number.isSafeInteger(n) && n > 0))
      fail(plugin, `${field}.${limit}`, 'must be a positive integer');
  }
  if (stage.after !== undefined) {
    if (!Array.isArray(stage.after)) fail(plugin, `${field}.after`, 'must be an array of task types');
    const seen = new Set<string>();
    stage.after.forEach((parent, j) => {
      if (typeof parent !== 'string') fail(plugin, `${field}.after[${j}]`, 'must be a task type (string)');
      if (parent === stage.taskType) fail(plugin, `${field}.after[${j}]`, 'names the stage itself');
      if (seen.has(parent)) fail(plugin, `${field}.after[${j}]`, `repeats ${JSON.stringify(parent)}`);
      seen.add(parent);
    });
  }
}

/** Orders stages parents first (stable), or throws naming a cycle of `after` links. */
function checkAcyclic(
  groups: ReadonlyArray<{ plugin: CovinaPlugin; stages: readonly StageDefinition[] }>,
): ResolvedStage[] {
  const nodes = new Map<string, { resolved: ResolvedStage; index: number }>();
  for (const { plugin, stages } of groups) {
    stages.forEach((stage, index) => {
      nodes.set(stage.taskType, { resolved: { plugin, stage }, index });
    });
  }
  const order: ResolvedStage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (taskType: string, path: string[]): void => {
    const node = nodes.get(taskType);
    if (!node || state.get(taskType) === 'done') return; // external stage: another plugin's concern
    if (state.get(taskType) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(taskType)), taskType].join(' → ');
      fail(node.resolved.plugin, `stages[${node.index}].after`, `forms a cycle: ${cycle}`);
    }
    state.set(taskType, 'visiting');
    for (const parent of node.resolved.stage.after ?? []) visit(parent, [...path, taskType]);
    state.set(taskType, 'done');
    order.push(node.resolved);
  };
  for (const taskType of nodes.keys()) visit(taskType, []);
  return order;
}

function fail(plugin: CovinaPlugin, field: string, reason: string): never {
  throw new PluginValidationError(plugin.name, field, reason);
}
