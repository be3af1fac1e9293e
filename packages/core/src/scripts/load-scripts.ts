import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { ScriptCallError, ScriptConflictError, ScriptDefinitionError } from '../errors/script-errors.js';
import type { LuaScript } from './define-lua-script.js';

/** A value a script accepts in ARGV. */
export type ScriptArg = string | number | Buffer;

export interface LoadScriptsOptions {
  /**
   * First part of the command name each script is registered under on the client.
   * @default 'covina'
   */
  namespace?: string;
  /**
   * Bump it whenever a script's behaviour changes, so two library versions that share one
   * ioredis client (or read each other's code) never run each other's script under one name.
   * @default '1'
   */
  version?: string | number;
}

/** Runs loaded scripts by name: EVALSHA, with a transparent reload after `NOSCRIPT`. */
export interface ScriptRunner<Name extends string> {
  /**
   * Runs a script; the reply is decoded as UTF-8 strings. `keys` must match the script's key
   * count (at least its fixed keys for a `'variadic'` one, whose count is sent with the call).
   */
  run(name: Name, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  /** Runs a script; bulk replies come back as Buffers (for binary results). */
  runBuffer(name: Name, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  /**
   * Adds a script call to a pipeline or MULTI (created from the same client, after loading),
   * so many calls share one round trip. Returns the pipeline for chaining.
   */
  queue<P extends ChainableCommander>(
    pipeline: P,
    name: Name,
    keys: readonly string[],
    args: readonly ScriptArg[],
  ): P;
  /** The versioned command name a script is registered under (`covina_claim_v1`). */
  commandName(name: Name): string;
  /** The scripts this runner knows. */
  readonly scripts: readonly LuaScript<Name>[];
}

type ScriptCommand = (...args: unknown[]) => Promise<unknown>;
/** ioredis keeps defined scripts here (`Commander#scriptsSet`); not in its public typings. */
type WithScripts = {
  scriptsSet?: Record<string, { lua?: string; numberOfKeys?: number | null } | undefined>;
};

const TOKEN = /^[A-Za-z0-9]+$/;

/**
 * Registers scripts on a client with ioredis `defineCommand`, each under a versioned name
 * (`${namespace}_${name}_v${version}`). ioredis then sends EVALSHA and, after a `SCRIPT FLUSH`
 * or a server restart answers `NOSCRIPT`, resends the source once, transparently.
 *
 * Idempotent: loading the same scripts again on one client is a no-op; loading a different
 * source (or key count) under a name already registered throws `ScriptConflictError` (bump
 * `version`). Scripts declared `'variadic'` take any number of keys per call (one per item of
 * a batch), at least the fixed ones their header documents.
 * Works on a `Cluster` as long as each call's keys share one hash slot.
 */
export function loadScripts<const T extends readonly LuaScript[]>(
  redis: Redis | Cluster,
  scripts: T,
  options: LoadScriptsOptions = {},
): ScriptRunner<T[number]['name']> {
  type Name = T[number]['name'];
  const namespace = options.namespace ?? 'covina';
  const version = String(options.version ?? '1');
  for (const [field, value] of [
    ['namespace', namespace],
    ['version', version],
  ] as const) {
    if (!TOKEN.test(value)) {
      const problem = `${field} must be letters and digits only, got ${JSON.stringify(value)}`;
      throw new ScriptDefinitionError(`loadScripts: ${problem}`, { context: { script: '*', problem } });
    }
  }

  const byName = new Map<string, { script: LuaScript; command: string }>();
  const registered = (redis as unknown as WithScripts).scriptsSet ?? {};
  for (const script of scripts) {
    const command = `${namespace}_${script.name}_v${version}`;
    const seen = byName.get(script.name);
    if (seen && seen.script.source !== script.source) {
      throw new ScriptConflictError(`Two different scripts are named "${script.name}"`, {
        context: { command },
      });
    }
    byName.set(script.name, { script, command });

    const existing = registered[command];
    // Variadic: no fixed count, so ioredis takes the key count as each call's first argument.
    const numberOfKeys = script.numberOfKeys === 'variadic' ? undefined : script.numberOfKeys;
    if (existing === undefined) {
      redis.defineCommand(command, {
        ...(numberOfKeys === undefined ? {} : { numberOfKeys }),
        lua: script.source,
        readOnly: script.readOnly,
      });
    } else if (existing.lua !== script.source || (existing.numberOfKeys ?? undefined) !== numberOfKeys) {
      throw new ScriptConflictError(
        `Command "${command}" is already defined on this client with another source; bump the scripts' version`,
        { context: { command } },
      );
    }
  }

  const lookup = (name: string) => {
    const entry = byName.get(name);
    if (!entry) {
      throw new ScriptCallError(`No Lua script named "${name}" was loaded`, { context: { script: name } });
    }
    return entry;
  };
  // ioredis would silently read surplus keys as ARGV: a wrong key count is always a bug.
  const resolve = (name: string, keys: readonly string[]) => {
    const entry = lookup(name);
    const { script } = entry;
    const ok =
      script.numberOfKeys === 'variadic'
        ? keys.length >= script.minKeys
        : keys.length === script.numberOfKeys;
    if (!ok) {
      const expected =
        script.numberOfKeys === 'variadic' ? `at least ${script.minKeys}` : String(script.numberOfKeys);
      throw new ScriptCallError(`Lua script "${name}" takes ${expected} keys, got ${keys.length}`, {
        context: { script: name, expectedKeys: script.minKeys, actualKeys: keys.length },
      });
    }
    return entry;
  };
  const method = (target: object, command: string) =>
    (target as Record<string, ScriptCommand>)[command] as ScriptCommand;
  /** Calls a script command: variadic scripts get their key count first. */
  const invoke = (
    target: object,
    fn: ScriptCommand,
    script: LuaScript,
    keys: readonly string[],
    args: readonly ScriptArg[],
  ) =>
    script.numberOfKeys === 'variadic'
      ? fn.call(target, keys.length, ...keys, ...args)
      : fn.call(target, ...keys, ...args);

  return {
    scripts: scripts as unknown as readonly LuaScript<Name>[],
    commandName(name) {
      return lookup(name).command;
    },
    async run(name, keys, args) {
      const { script, command } = resolve(name, keys);
      return invoke(redis, method(redis, command), script, keys, args);
    },
    async runBuffer(name, keys, args) {
      const { script, command } = resolve(name, keys);
      return invoke(redis, method(redis, `${command}Buffer`), script, keys, args);
    },
    queue(pipeline, name, keys, args) {
      const { script, command } = resolve(name, keys);
      const add = method(pipeline, command);
      if (typeof add !== 'function') {
        throw new ScriptCallError(
          `The pipeline does not know "${command}": create it from the same client after loadScripts()`,
          { context: { script: name } },
        );
      }
      invoke(pipeline, add, script, keys, args);
      return pipeline;
    },
  };
}
