import { createHash } from 'node:crypto';
import { defineLuaScript, type LuaScript } from '../scripts/define-lua-script.js';
import type { FunctionLibrary } from '../scripts/function-library.js';
import { readHeader } from '../scripts/script-header.js';
import addFile from './lua/add-file-17.lua';
import addTasks from './lua/add-tasks-17.lua';
import cancel from './lua/cancel-17.lua';
import claim from './lua/claim-17.lua';
import cleanup from './lua/cleanup-17.lua';
import complete from './lua/complete-17.lua';
import createBatch from './lua/create-batch-17.lua';
import fail from './lua/fail-17.lua';
import begin from './lua/includes/begin.lua';
import context from './lua/includes/context.lua';
import events from './lua/includes/events.lua';
import failure from './lua/includes/failure.lua';
import graph from './lua/includes/graph.lua';
import queue from './lua/includes/queue.lua';
import records from './lua/includes/records.lua';
import transitions from './lua/includes/transitions.lua';
import recover from './lua/recover-17.lua';
import release from './lua/release-17.lua';
import report from './lua/report-17.lua';
import retry from './lua/retry-17.lua';
import updateFile from './lua/update-file-17.lua';

/** Bump when any script's behaviour changes (scripts are registered as `covina_<name>_v<N>`). */
export const PIPELINE_SCRIPTS_VERSION = 4;

/** Number of KEYS every pipeline script takes (lua/includes/context.lua). */
export const PIPELINE_KEY_COUNT = 17;

/** Index (0-based) in ARGV where a script's own arguments start, after the context. */
export const CONTEXT_ARGS = 17;

/** A `--[[ … ]]` header and the code after it. */
function splitHeader(source: string): { header: string; body: string } {
  const header = readHeader(source);
  if (header === undefined) throw new Error('pipeline Lua file without a header comment');
  const end = source.indexOf(']]', source.indexOf(header) + header.length);
  return { header: header.trim(), body: source.slice(end + 2) };
}

// Shared code, in dependency order; each include's own header stays in its file.
const includes = [context, events, records, transitions, queue, graph, failure, begin]
  .map((file) => splitHeader(file).body.trim())
  .join('\n\n');
const contextDoc = splitHeader(context).header;

/**
 * One script as sent to Redis: the script's header and the context's (so the KEYS and ARGV
 * every script receives are documented where the loader checks them), the includes, the body.
 * Built from the package's own files only: nothing user-supplied ever reaches Lua source.
 */
function compose(source: string): string {
  const { header, body } = splitHeader(source);
  return `--[[\n${header}\n\n${contextDoc}\n]]\n${includes}\n\n-- script\nbegin(KEYS, ARGV)\n${body.trim()}\n`;
}

const sources = {
  plAddFile: addFile,
  plAddTasks: addTasks,
  plCancel: cancel,
  plClaim: claim,
  plCleanup: cleanup,
  plComplete: complete,
  plCreateBatch: createBatch,
  plFail: fail,
  plRecover: recover,
  plRelease: release,
  plReport: report,
  plRetry: retry,
  plUpdateFile: updateFile,
} as const;

export type PipelineScriptName = keyof typeof sources;

const names = Object.keys(sources) as PipelineScriptName[];

export const pipelineScripts: readonly LuaScript<PipelineScriptName>[] = names.map((name) =>
  defineLuaScript(name, PIPELINE_KEY_COUNT, compose(sources[name])),
);

/**
 * The same scripts as one Redis 7 function library: the includes are compiled and their
 * functions created once per server, not on every call (an empty claim costs Redis about
 * 40% less). Each script body becomes a function that starts with begin(KEYS, ARGV). The
 * library is named by its content's hash, so two versions never share a name.
 */
export const pipelineLibrary: FunctionLibrary<PipelineScriptName> = (() => {
  const functions = names.map((name) => {
    const { body } = splitHeader(sources[name]);
    return `local function ${name}(KEYS, ARGV)\n  begin(KEYS, ARGV)\n${body.trim()}\nend\n`;
  });
  const code = `--[[\n${contextDoc}\n]]\n${includes}\n\n${functions.join('\n')}`;
  const hash = createHash('sha1').update(code).digest('hex').slice(0, 12);
  const functionName = (name: PipelineScriptName) => `covina_${name}_${hash}`;
  const registrations = names.map((name) => `redis.register_function('${functionName(name)}', ${name})`);
  return {
    name: `covina_pipeline_${hash}`,
    source: `#!lua name=covina_pipeline_${hash}\n${code}\n${registrations.join('\n')}\n`,
    functionName,
  };
})();
