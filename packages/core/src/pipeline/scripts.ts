import { defineLuaScript, type LuaScript } from '../scripts/define-lua-script.js';
import { readHeader } from '../scripts/script-header.js';
import addFile from './lua/add-file-17.lua';
import addTasks from './lua/add-tasks-17.lua';
import cancel from './lua/cancel-17.lua';
import claim from './lua/claim-17.lua';
import cleanup from './lua/cleanup-17.lua';
import complete from './lua/complete-17.lua';
import createBatch from './lua/create-batch-17.lua';
import fail from './lua/fail-17.lua';
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
export const PIPELINE_SCRIPTS_VERSION = 3;

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
const includes = [context, events, records, transitions, queue, graph, failure]
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
  return `--[[\n${header}\n\n${contextDoc}\n]]\n${includes}\n\n-- script\n${body.trim()}\n`;
}

const define = <const N extends string>(name: N, source: string): LuaScript<N> =>
  defineLuaScript(name, PIPELINE_KEY_COUNT, compose(source));

export const pipelineScripts = [
  define('plAddFile', addFile),
  define('plAddTasks', addTasks),
  define('plCancel', cancel),
  define('plClaim', claim),
  define('plCleanup', cleanup),
  define('plComplete', complete),
  define('plCreateBatch', createBatch),
  define('plFail', fail),
  define('plRecover', recover),
  define('plRelease', release),
  define('plReport', report),
  define('plRetry', retry),
  define('plUpdateFile', updateFile),
] as const;

export type PipelineScriptName = (typeof pipelineScripts)[number]['name'];
