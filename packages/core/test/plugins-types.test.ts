import type { Logger } from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ClaimedTaskRecord, PipelineFileRecord } from '../src/pipeline/index.js';
import {
  type ClaimedTask,
  type CovinaPlugin,
  definePlugin,
  defineStage,
  type FileRecord,
  PLUGIN_FEATURES,
  type PluginHostCapabilities,
  type PluginLogger,
  type StageContext,
  type StageDefinition,
} from '../src/plugins/index.js';
import type { StateStore } from '../src/state/index.js';

describe('plugin types', () => {
  it('definePlugin returns its argument and keeps its literal type', () => {
    const input = { name: 'p', version: '1.0.0', stages: [] };
    const p = definePlugin(input);
    expect(p).toBe(input);
    const literal = definePlugin({ name: 'lit', version: '1.0.0' });
    expectTypeOf(literal.name).toEqualTypeOf<'lit'>();
    expectTypeOf(literal).toExtend<CovinaPlugin>();
  });

  it('defineStage types the payload and the result', () => {
    const stage = defineStage<{ language: string }, { text: string }>({
      taskType: 'ocr',
      run: async (task) => {
        expectTypeOf(task.payload).toEqualTypeOf<{ language: string } | undefined>();
        return { text: task.payload?.language ?? '' };
      },
    });
    expectTypeOf(stage.run).returns.toEqualTypeOf<Promise<{ text: string }>>();
    // Typed stages fit a plugin's stage list.
    expectTypeOf(stage).toExtend<StageDefinition>();
    definePlugin({ name: 'p', version: '1.0.0', stages: [stage] });
  });

  it('gives stages what they need and accepts a pino logger', () => {
    expectTypeOf<StageContext['state']>().toEqualTypeOf<StateStore>();
    expectTypeOf<StageContext['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<StageContext['file']>().toEqualTypeOf<FileRecord | undefined>();
    expectTypeOf<Logger>().toExtend<PluginLogger>();
    expectTypeOf<ClaimedTask<number>['payload']>().toEqualTypeOf<number | undefined>();
  });

  it('receives what PipelineStore returns', () => {
    expectTypeOf<ClaimedTaskRecord<{ url: string }>>().toExtend<ClaimedTask<{ url: string }>>();
    expectTypeOf<PipelineFileRecord>().toExtend<FileRecord>();
  });

  it('has one capability flag per feature', () => {
    const host: PluginHostCapabilities = { apiVersion: 1, leaseExtension: false };
    expect(Object.keys(host).sort()).toEqual(['apiVersion', ...PLUGIN_FEATURES].sort());
  });
});
