import { ScriptDefinitionError } from '../errors/script-errors.js';
import { checkScript } from './script-header.js';

/** A script's key count: fixed, or `'variadic'` (each call passes as many keys as it needs). */
export type KeyCount = number | 'variadic';

/** A Lua script with its documented header, ready for {@link loadScripts}. */
export interface LuaScript<Name extends string = string> {
  /** Short name, unique among the scripts loaded together (`claim`, `extendLease`). */
  readonly name: Name;
  /**
   * How many leading arguments are KEYS: a fixed count, or `'variadic'` for scripts that take
   * one key per item of a batch (the count is sent with each call, as `keys.length`).
   * Either way every key a script touches is passed in KEYS, never built inside the script.
   */
  readonly numberOfKeys: KeyCount;
  /** Fewest keys a call may pass: `numberOfKeys` when fixed, else the keys the header fixes before its variadic part. */
  readonly minKeys: number;
  /** The Lua source, header comment included. */
  readonly source: string;
  /** The header comment (KEYS, ARGV, return value), as documentation. */
  readonly header: string;
  /** The script only reads: Redis Cluster may route it to a replica when `scaleReads` allows. */
  readonly readOnly: boolean;
}

export interface LuaScriptOptions {
  /**
   * The script writes nothing (Redis Cluster may then run it on a replica).
   * @default false
   */
  readOnly?: boolean;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Declares a Lua script. The source must open with a header comment naming every `KEYS[i]`,
 * the `ARGV` it reads and what it returns; a script without one is rejected with
 * `ScriptDefinitionError`, so every script stays documented.
 *
 * ```ts
 * import claimSource from './lua/claim-3.lua';
 * export const claim = defineLuaScript('claim', 3, claimSource);
 * // One key per item of a batch: the header documents KEYS[1..n] (or KEYS[i]).
 * import checkSource from './lua/check-n.lua';
 * export const check = defineLuaScript('check', 'variadic', checkSource);
 * ```
 */
export function defineLuaScript<const Name extends string>(
  name: Name,
  numberOfKeys: KeyCount,
  source: string,
  options: LuaScriptOptions = {},
): LuaScript<Name> {
  if (!NAME.test(name)) {
    const problem = `name must match ${NAME} (letters, digits, _), got ${JSON.stringify(name)}`;
    throw new ScriptDefinitionError(`defineLuaScript: ${problem}`, { context: { script: name, problem } });
  }
  if (numberOfKeys !== 'variadic' && (!Number.isInteger(numberOfKeys) || numberOfKeys < 0)) {
    const problem = `numberOfKeys must be an integer >= 0 or 'variadic', got ${JSON.stringify(numberOfKeys)}`;
    throw new ScriptDefinitionError(`Lua script "${name}": ${problem}`, {
      context: { script: name, problem },
    });
  }
  const { header, minKeys } = checkScript(name, numberOfKeys, source);
  return Object.freeze({
    name,
    numberOfKeys,
    minKeys,
    source,
    header,
    readOnly: options.readOnly ?? false,
  });
}
