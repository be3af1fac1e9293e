import { describe, expect, it } from 'vitest';
import {
  type CovinaPlugin,
  definePlugin,
  PLUGIN_API_VERSION,
  PluginValidationError,
  type StageDefinition,
  validatePlugin,
  validatePlugins,
} from '../src/plugins/index.js';

const run = async () => ({ ok: true });

function plugin(
  overrides: Record<string, unknown> = {},
  stages: Array<Record<string, unknown>> = [],
): CovinaPlugin {
  return {
    name: 'p',
    version: '1.0.0',
    stages: stages.map((s) => ({ run, ...s })),
    ...overrides,
  } as unknown as CovinaPlugin;
}

/** The error `call` throws, asserting it is a PluginValidationError. */
function rejection(call: () => unknown): PluginValidationError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(PluginValidationError);
    expect((error as PluginValidationError).code).toBe('E_PLUGIN_INVALID');
    return error as PluginValidationError;
  }
  throw new Error('expected a PluginValidationError, nothing was thrown');
}

describe('validatePlugin', () => {
  it('accepts a complete plugin and a minimal one', () => {
    const full = definePlugin({
      name: '@acme/plugin-ocr',
      version: '2.1.0-beta.1+build.5',
      apiVersion: PLUGIN_API_VERSION,
      requires: ['leaseExtension'],
      description: 'OCR for scans',
      setup() {},
      teardown: async () => {},
      stages: [
        {
          taskType: 'ocr',
          workerType: 'gpu',
          accepts: (f) => f.mimeType === 'image/png',
          run,
          concurrency: 2,
        },
        { taskType: 'ocr.index', after: ['ocr'], maxAttempts: 5, timeoutMs: 60_000, run },
      ],
    });
    expect(() => validatePlugin(full)).not.toThrow();
    expect(() => validatePlugin({ name: 'bare', version: '0.0.1' })).not.toThrow();
  });

  it('names the bad field of the plugin', () => {
    const cases: Array<[unknown, string, string | undefined]> = [
      [null, 'plugin', undefined],
      [{ version: '1.0.0' }, 'name', undefined],
      [{ name: 'has space', version: '1.0.0' }, 'name', undefined],
      [{ name: 'p' }, 'version', 'p'],
      [plugin({ version: '1.0' }), 'version', 'p'],
      [plugin({ apiVersion: PLUGIN_API_VERSION + 1 }), 'apiVersion', 'p'],
      [plugin({ apiVersion: 0 }), 'apiVersion', 'p'],
      [plugin({ requires: ['teleport'] }), 'requires[0]', 'p'],
      [plugin({ requires: 'leaseExtension' }), 'requires', 'p'],
      [plugin({ setup: 'yes' }), 'setup', 'p'],
      [plugin({ stages: {} }), 'stages', 'p'],
    ];
    for (const [value, field, name] of cases) {
      const error = rejection(() => validatePlugin(value));
      expect(error.context.field, field).toBe(field);
      expect(error.context.plugin).toBe(name);
    }
  });

  it('names the bad field of a stage', () => {
    const cases: Array<[Array<Record<string, unknown>>, string]> = [
      [[{ taskType: '' }], 'stages[0].taskType'],
      [[{ taskType: 'a:b' }], 'stages[0].taskType'],
      [[{ taskType: 'ok' }, { taskType: 'ok' }], 'stages[1].taskType'],
      [[{ taskType: 'ok', workerType: 'has space' }], 'stages[0].workerType'],
      [[{ taskType: 'ok', run: undefined }], 'stages[0].run'],
      [[{ taskType: 'ok', accepts: true }], 'stages[0].accepts'],
      [[{ taskType: 'ok', concurrency: 0 }], 'stages[0].concurrency'],
      [[{ taskType: 'ok', maxAttempts: 1.5 }], 'stages[0].maxAttempts'],
      [[{ taskType: 'ok', timeoutMs: -1 }], 'stages[0].timeoutMs'],
      [[{ taskType: 'ok', after: 'x' }], 'stages[0].after'],
      [[{ taskType: 'ok', after: ['ok'] }], 'stages[0].after[0]'],
      [[{ taskType: 'a' }, { taskType: 'ok', after: ['a', 'a'] }], 'stages[1].after[1]'],
      [[{ taskType: 'ok', after: ['missing'] }], 'stages[0].after[0]'],
    ];
    for (const [stages, field] of cases) {
      const error = rejection(() => validatePlugin(plugin({}, stages)));
      expect(error.context.field, field).toBe(field);
      expect(error.message).toContain(field);
    }
  });

  it('accepts after-links to stages of other plugins when told about them', () => {
    const p = plugin({}, [{ taskType: 'nlp', after: ['preprocessing'] }]);
    expect(rejection(() => validatePlugin(p)).message).toMatch(/unknown stage "preprocessing"/);
    expect(() => validatePlugin(p, { knownTaskTypes: ['preprocessing'] })).not.toThrow();
  });

  it('rejects cycles, naming them', () => {
    const p = plugin({}, [
      { taskType: 'a', after: ['c'] },
      { taskType: 'b', after: ['a'] },
      { taskType: 'c', after: ['b'] },
    ]);
    expect(rejection(() => validatePlugin(p)).context.reason).toMatch(
      /cycle: (a → c → b → a|c → b → a → c|b → a → c → b)/,
    );
  });

  it('checks apiVersion and requires against the given host', () => {
    const p = plugin({ apiVersion: 1, requires: ['leaseExtension'] });
    expect(() => validatePlugin(p, { host: { apiVersion: 1, leaseExtension: true } })).not.toThrow();
    expect(
      rejection(() => validatePlugin(p, { host: { apiVersion: 1, leaseExtension: false } })).context.field,
    ).toBe('requires[0]');
  });
});

describe('validatePlugins', () => {
  const pre = plugin({ name: 'pre' }, [{ taskType: 'preprocessing' }]);
  const nlp = plugin({ name: 'nlp' }, [
    { taskType: 'index', after: ['nlp_processing'] },
    { taskType: 'nlp_processing', after: ['preprocessing'] },
  ]);

  it('resolves after-links across plugins and orders stages parents first', () => {
    const order = validatePlugins([nlp, pre]).map((r) => `${r.plugin.name}/${r.stage.taskType}`);
    expect(order).toEqual(['pre/preprocessing', 'nlp/nlp_processing', 'nlp/index']);
  });

  it('rejects duplicate plugin names and task types shared by two plugins', () => {
    expect(rejection(() => validatePlugins([pre, plugin({ name: 'pre' })])).context).toMatchObject({
      plugin: 'pre',
      field: 'name',
    });
    const clash = plugin({ name: 'other' }, [{ taskType: 'x' }, { taskType: 'preprocessing' }]);
    const error = rejection(() => validatePlugins([pre, clash]));
    expect(error.context).toMatchObject({ plugin: 'other', field: 'stages[1].taskType' });
    expect(error.message).toContain('"pre"');
  });

  it('rejects unknown stages and cycles that cross plugins', () => {
    expect(rejection(() => validatePlugins([nlp])).context).toMatchObject({
      plugin: 'nlp',
      field: 'stages[1].after[0]',
    });
    const a = plugin({ name: 'a' }, [{ taskType: 'x', after: ['y'] }]);
    const b = plugin({ name: 'b' }, [{ taskType: 'y', after: ['x'] }]);
    expect(rejection(() => validatePlugins([a, b])).context.reason).toMatch(/cycle/);
    expect(rejection(() => validatePlugins('x' as unknown as [])).context.field).toBe('plugins');
  });

  it('never calls anything on the plugins it checks', () => {
    let called = 0;
    const touchy: StageDefinition = {
      taskType: 't',
      accepts: () => Boolean(++called),
      run: async () => ++called,
    };
    validatePlugins([plugin({ name: 'touchy', setup: () => ++called, stages: [touchy] })]);
    expect(called).toBe(0);
  });
});
