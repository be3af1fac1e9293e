import { readdirSync, readFileSync } from 'node:fs';
import { useRedis } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { pipelineLibrary } from '../src/pipeline/scripts.js';
import { makeStore } from './pipeline/helpers.js';

const INCLUDES = new URL('../src/pipeline/lua/includes/', import.meta.url);

/** Calls per command since the last CONFIG RESETSTAT. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const [, name, n] of (await redis.info('commandstats')).matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)) {
    calls[name!] = Number(n);
  }
  return calls;
}

/** One claim and one complete through the store. */
async function roundTrip(store: ReturnType<typeof makeStore>): Promise<void> {
  await store.addTasks([{ taskType: 't', workerType: 'w' }]);
  const [task] = await store.claimTasks('w', 1);
  await store.updateTaskStatus(task!.id, 'completed', { leaseToken: task!.leaseToken });
  expect(await store.getTask(task!.id)).toMatchObject({ status: 'completed' });
}

describe('pipeline scripts as a Redis function library', () => {
  const ctx = useRedis();

  it('loads the library once and runs every call with FCALL', async () => {
    await ctx.redis.config('RESETSTAT');
    await roundTrip(makeStore(ctx));
    const calls = await commandCalls(ctx.redis);
    expect(calls.fcall).toBeGreaterThanOrEqual(3);
    expect(calls.evalsha).toBeUndefined();
    expect(await ctx.redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', pipelineLibrary.name)).toHaveLength(1);
  });

  it('loads it again when the server lost it (FUNCTION FLUSH, a restart without persistence)', async () => {
    const store = makeStore(ctx);
    await roundTrip(store);
    await ctx.redis.call('FUNCTION', 'FLUSH');
    await roundTrip(store);
    expect(await ctx.redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', pipelineLibrary.name)).toHaveLength(1);
  });

  it('runs the same scripts with EVAL/EVALSHA for a user who may not load functions', async () => {
    const user = `${ctx.prefix.replace(/\W/g, '_')}_nofn`;
    await ctx.redis.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', '&*', '+@all', '-function');
    try {
      const redis = ctx.client({ username: user, password: 'secret' });
      await ctx.redis.config('RESETSTAT');
      await roundTrip(makeStore(ctx, {}, redis));
      const calls = await commandCalls(ctx.redis);
      // ioredis sends a script's source (EVAL) until the server has it, then EVALSHA.
      expect((calls.eval ?? 0) + (calls.evalsha ?? 0)).toBeGreaterThanOrEqual(3);
      expect(calls.fcall).toBeUndefined();
    } finally {
      await ctx.redis.call('ACL', 'DELUSER', user);
    }
  });

  // A loaded library keeps its top-level values between calls: state left by one call would
  // leak into the next (a file status, a batch's done flag read by an earlier call).
  it('every include assigns its per-call state in a begin function; top-level values are constants', () => {
    for (const file of readdirSync(INCLUDES).filter((f) => f.endsWith('.lua'))) {
      const source = readFileSync(new URL(file, INCLUDES), 'utf8');
      const beginBodies = [...source.matchAll(/^local function begin\w*\([^)]*\)\n([\s\S]*?)^end$/gm)]
        .map((m) => m[1])
        .join('\n');
      const reset = new Set(
        [...beginBodies.matchAll(/^ {2}([\w, ]+?) = /gm)].flatMap((m) => m[1]!.split(/,\s*/)),
      );
      for (const [, names, value] of source.matchAll(/^local (?!function )([\w, ]+?)(?: = (.*))?$/gm)) {
        for (const name of names!.split(/,\s*/)) {
          if (value === undefined) {
            expect(reset.has(name), `${file}: ${name} is reset by begin`).toBe(true);
          } else {
            expect(name, `${file}: ${name} has a value at load time, so it must be a constant`).toMatch(
              /^[A-Z][A-Z0-9_]*$/,
            );
            expect(value, `${file}: ${name} must not depend on a call`).not.toMatch(
              /KEYS|ARGV|redis\.|NOW|PIPELINE/,
            );
          }
        }
      }
    }
  });
});
