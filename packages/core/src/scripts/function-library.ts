import { Cluster, type Redis } from 'ioredis';
import type { ScriptArg, ScriptRunner } from './load-scripts.js';

/** Scripts bundled as one Redis 7 function library (`FUNCTION LOAD`, then `FCALL`). */
export interface FunctionLibrary<Name extends string> {
  /** The library's name (from the `#!lua name=…` line of its source). */
  readonly name: string;
  /** The whole library, shebang line included. */
  readonly source: string;
  /** The function a script is registered as. */
  functionName(script: Name): string;
}

/** How a client runs a library: not known yet, as functions, or as scripts (no functions). */
type Mode = 'unknown' | 'functions' | 'scripts';
interface State {
  mode: Mode;
  loading?: Promise<void>;
}

const states = new WeakMap<Redis | Cluster, Map<string, State>>();

function stateOf(redis: Redis | Cluster, library: string): State {
  let libraries = states.get(redis);
  if (!libraries) {
    libraries = new Map();
    states.set(redis, libraries);
  }
  let state = libraries.get(library);
  if (!state) {
    state = { mode: 'unknown' };
    libraries.set(library, state);
  }
  return state;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Redis before 7, or a user whose ACL does not allow FUNCTION: scripts it is, for good. */
const noFunctions = (error: unknown) => /unknown command|unknown subcommand|NOPERM/i.test(message(error));
const alreadyLoaded = (error: unknown) => /already exists/i.test(message(error));
const notLoaded = (error: unknown) => /Function not found|No such library/i.test(message(error));

/**
 * Loads the library where this client's calls may go: the server, or every master of a cluster.
 * False when a cluster client knows no master yet (it is still connecting).
 */
async function loadEverywhere(redis: Redis | Cluster, source: string): Promise<boolean> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  if (nodes.length === 0) return false;
  await Promise.all(
    nodes.map((node) =>
      node.call('FUNCTION', 'LOAD', source).catch((error: unknown) => {
        if (!alreadyLoaded(error)) throw error;
      }),
    ),
  );
  return true;
}

/**
 * A runner with the same `run` / `runBuffer` as {@link ScriptRunner} that calls the library's
 * functions with `FCALL`. The library is loaded on first use (on every master of a cluster),
 * and again when a server answers that the function is missing (a restart without persistence,
 * a new master). Where functions are unavailable, every call goes to `scripts` (EVALSHA) instead.
 * A library name is its content's hash, so loading never replaces another version's code.
 */
export function functionRunner<Name extends string>(
  redis: Redis | Cluster,
  library: FunctionLibrary<Name>,
  scripts: ScriptRunner<Name>,
): Pick<ScriptRunner<Name>, 'run' | 'runBuffer'> {
  const state = stateOf(redis, library.name);
  const load = (): Promise<void> => {
    state.loading ??= loadEverywhere(redis, library.source)
      .then(
        (loaded) => {
          if (loaded) state.mode = 'functions';
        },
        (error: unknown) => {
          if (!noFunctions(error)) throw error; // down, busy…: the next call tries again
          state.mode = 'scripts';
        },
      )
      .finally(() => {
        state.loading = undefined;
      });
    return state.loading;
  };

  const call = async (
    buffers: boolean,
    name: Name,
    keys: readonly string[],
    args: readonly ScriptArg[],
  ): Promise<unknown> => {
    if (state.mode === 'unknown') await load();
    // Still unknown: a cluster client that knows no master yet; this call goes as a script.
    if (state.mode !== 'functions') {
      return buffers ? scripts.runBuffer(name, keys, args) : scripts.run(name, keys, args);
    }
    const fcall = () =>
      (buffers ? redis.callBuffer : redis.call).call(
        redis,
        'FCALL',
        library.functionName(name),
        keys.length,
        ...keys,
        ...args,
      );
    try {
      return await fcall();
    } catch (error) {
      if (!notLoaded(error)) throw error;
      await load();
      return fcall();
    }
  };

  return {
    run: (name, keys, args) => call(false, name, keys, args),
    runBuffer: (name, keys, args) => call(true, name, keys, args),
  };
}
