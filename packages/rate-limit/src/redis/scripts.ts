import { defineLuaScript, type LuaScript, loadScripts, locateHeader } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';
import fixedWindow from '../lua/fixed-window-n.lua';
import gcra from '../lua/gcra-n.lua';
import checks from '../lua/includes/checks.lua';
import numberState from '../lua/includes/number-state.lua';
import slidingLog from '../lua/sliding-log-n.lua';
import slidingWindow from '../lua/sliding-window-n.lua';
import tokenBucket from '../lua/token-bucket-n.lua';
import type { Algorithm } from '../types.js';

/**
 * Bump when any script's behaviour or stored format changes, so two versions of this package
 * sharing one client (or one Redis) never run each other's script under one name.
 */
const SCRIPTS_VERSION = 1;

/** A `--[[ … ]]` header and the code after it. */
function split(file: string): { header: string; body: string } {
  const header = locateHeader(file);
  if (header === undefined) throw new Error('rate-limit Lua file without a header comment');
  return { header: header.text.trim(), body: file.slice(header.end).trim() };
}

const shared = split(checks);
const numbers = split(numberState).body;

/**
 * One script as sent to Redis: its header and the shared one (so KEYS, ARGV and the reply are
 * documented in the script Redis runs), the includes it needs, then its own code. Built once,
 * from this package's files only: nothing user-supplied ever reaches Lua source.
 */
function compose(file: string, includes: readonly string[]): string {
  const { header, body } = split(file);
  return `--[[\n${header}\n\n${shared.header}\n]]\n${[shared.body, ...includes].join('\n\n')}\n\n-- script\n${body}\n`;
}

/** The script's name: `rate_sliding_window`, registered as `covina_rate_sliding_window_v1`. */
const scriptName = (algorithm: Algorithm) => `rate_${algorithm.replaceAll('-', '_')}`;

/** An algorithm's script, composed and checked (its header documents KEYS, ARGV and the reply). */
const define = (algorithm: Algorithm, file: string, includes: readonly string[]) =>
  defineLuaScript(scriptName(algorithm), 'variadic', compose(file, includes));

/** Every algorithm's script. Variadic: one key per check, as many as a call batches. */
export const SCRIPTS: Readonly<Record<Algorithm, LuaScript>> = {
  'fixed-window': define('fixed-window', fixedWindow, [numbers]),
  'sliding-window': define('sliding-window', slidingWindow, [numbers]),
  'sliding-log': define('sliding-log', slidingLog, []),
  'token-bucket': define('token-bucket', tokenBucket, [numbers]),
  gcra: define('gcra', gcra, [numbers]),
};

/** The versioned command name an algorithm's script is registered under: `covina_rate_gcra_v1`. */
export function scriptCommand(algorithm: Algorithm): string {
  return `covina_${scriptName(algorithm)}_v${SCRIPTS_VERSION}`;
}

type ScriptCommand = (numberOfKeys: number, ...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers an algorithm's script on a client (core's `loadScripts`: versioned
 * `defineCommand`, once per client) and returns a function that runs it for any number of
 * keys, one per check. ioredis sends EVALSHA and, after `SCRIPT FLUSH` or a restart answers
 * `NOSCRIPT`, the source once, transparently. Checks call the registered command itself: on
 * this path, per call, the runner's lookups and extra promise show.
 */
export function rateScript(
  redis: Redis | Cluster,
  algorithm: Algorithm,
): (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<number[]> {
  const script = SCRIPTS[algorithm];
  const command = loadScripts(redis, [script], { version: SCRIPTS_VERSION }).commandName(script.name);
  const run = (redis as unknown as Record<string, ScriptCommand>)[command]!;
  return (keys, args) => run.call(redis, keys.length, ...keys, ...args) as Promise<number[]>;
}
