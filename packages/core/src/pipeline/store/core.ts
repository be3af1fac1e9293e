import type { Cluster, Redis } from 'ioredis';
import { functionRunner } from '../../scripts/function-library.js';
import { loadScripts, type ScriptArg } from '../../scripts/load-scripts.js';
import type { PipelineKeys } from '../keys.js';
import type { ResolvedPipelineOptions } from '../options.js';
import { checkReply, leaseLost, ScriptCode, taskNotFound } from '../script-codes.js';
import {
  PIPELINE_SCRIPTS_VERSION,
  type PipelineScriptName,
  pipelineLibrary,
  pipelineScripts,
} from '../scripts.js';
import { MicroBatcher } from './micro-batcher.js';

/** One completion for the batched complete script. */
export interface CompleteEntry {
  id: string;
  token: string;
  /** '' no result, 'i' inline, 'o' out of line. */
  mode: string;
  data: string | Buffer;
}

/** What every part of the store works with: the client, the keys, the options, the scripts. */
export interface StoreCore {
  readonly redis: Redis | Cluster;
  readonly keys: PipelineKeys;
  readonly options: ResolvedPipelineOptions;
  /** Runs a script (string replies) and returns its checked reply; failures throw their error. */
  run(
    script: PipelineScriptName,
    args: readonly ScriptArg[],
    fieldOf?: (i: number) => string,
  ): Promise<unknown[]>;
  /** Same, with bulk replies as Buffers (for out-of-line blobs). */
  runBuffer(script: PipelineScriptName, args: readonly ScriptArg[]): Promise<unknown[]>;
  /** Completes a task; completions made together share one script call. */
  complete(entry: CompleteEntry): Promise<void>;
  /** Reads a raw task record; reads made together share one HMGET. */
  readRecord(id: string): Promise<string | null>;
}

/** Most completions or reads sent in one round trip. */
const MAX_BATCH = 256;

export function createCore(
  redis: Redis | Cluster,
  keys: PipelineKeys,
  options: ResolvedPipelineOptions,
): StoreCore {
  // FCALL on Redis 7+, EVALSHA where functions are unavailable.
  const scripts = functionRunner(
    redis,
    pipelineLibrary,
    loadScripts(redis, pipelineScripts, { version: PIPELINE_SCRIPTS_VERSION }),
  );
  // ARGV[1..17] of every script (lua/includes/context.lua); the seed is fresh per call.
  const head = [
    options.pipeline,
    ...keys.stems,
    keys.updatesChannel,
    options.eventStreamMaxLength,
    options.idPrefix,
    options.retentionMs,
    options.deadLetterRetentionMs,
    options.backoffBaseMs,
    options.backoffMaxMs,
  ];
  const argv = (args: readonly ScriptArg[]) => [
    ...head,
    1 + Math.floor(Math.random() * 2_147_483_645),
    options.errorHistoryLimit,
    ...args,
  ];
  const run = async (
    script: PipelineScriptName,
    args: readonly ScriptArg[],
    fieldOf?: (i: number) => string,
  ) => checkReply(script, await scripts.run(script, keys.scriptKeys, argv(args)), fieldOf);

  const completer = new MicroBatcher<CompleteEntry, void>(async (entries) => {
    const reply = await run('plComplete', [
      entries.length,
      ...entries.flatMap((e) => [e.id, e.token, e.mode, e.data]),
    ]);
    return entries.map((entry, i) => {
      const code = Number(reply[1 + 2 * i]);
      if (code === ScriptCode.LeaseLost) return leaseLost(entry.id, String(reply[2 + 2 * i]));
      if (code === ScriptCode.TaskNotFound) return taskNotFound(entry.id);
      return undefined;
    });
  }, MAX_BATCH);

  const reader = new MicroBatcher<string, string | null>(
    (ids) => redis.hmget(keys.tasks, ...ids),
    MAX_BATCH * 4,
  );

  return {
    redis,
    keys,
    options,
    run,
    async runBuffer(script, args) {
      return checkReply(script, await scripts.runBuffer(script, keys.scriptKeys, argv(args)));
    },
    complete: (entry) => completer.add(entry),
    readRecord: (id) => reader.add(id),
  };
}
