import { createHash } from 'node:crypto';
import { useRedis } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  defineLuaScript,
  isCovinaError,
  loadScripts,
  ScriptCallError,
  ScriptConflictError,
  ScriptDefinitionError,
} from '../src/connection/index.js';
import addManySource from './scripts-fixtures/add-many-n.lua';

const incrBy = defineLuaScript(
  'incrBy',
  1,
  `--[[
  Adds to a counter and returns the new value.
  KEYS[1]  the counter
  ARGV[1]  amount to add
  Returns: the new value
]]
return redis.call('INCRBY', KEYS[1], ARGV[1])
`,
);

const swap = defineLuaScript(
  'swap',
  2,
  `-- Swaps two strings.
-- KEYS[1] first key, KEYS[2] second key
-- ARGV: none
-- Returns: 1
local a = redis.call('GET', KEYS[1])
local b = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[1], b)
redis.call('SET', KEYS[2], a)
return 1
`,
);

describe('defineLuaScript', () => {
  const definitionProblem = (numberOfKeys: number, source: string) => {
    try {
      defineLuaScript('bad', numberOfKeys, source);
    } catch (error) {
      expect(error).toBeInstanceOf(ScriptDefinitionError);
      return (error as ScriptDefinitionError).context.problem;
    }
    throw new Error('expected a ScriptDefinitionError');
  };

  it('rejects a script that does not open with a header comment', () => {
    expect(definitionProblem(1, "return redis.call('GET', KEYS[1])")).toMatch(
      /must start with a comment block/,
    );
  });

  it('rejects a header that misses a key, documents too many, or forgets ARGV or the return value', () => {
    expect(definitionProblem(2, '-- KEYS[1] a\n-- ARGV: none\n-- Returns 1\nreturn 1')).toMatch(/KEYS\[2\]/);
    expect(definitionProblem(1, '-- KEYS[1] a, KEYS[2] b\n-- ARGV: none\n-- Returns 1\nreturn 1')).toMatch(
      /documents KEYS\[2\] but the script takes 1/,
    );
    expect(definitionProblem(1, '-- KEYS[1] a\n-- Returns 1\nreturn 1')).toMatch(/does not document ARGV/);
    expect(definitionProblem(1, '-- KEYS[1] a\n-- ARGV: none\nreturn 1')).toMatch(/return value/);
  });

  it('rejects a body that reads an undeclared key or an undocumented argument', () => {
    const header = '-- KEYS[1] a\n-- ARGV[1] x\n-- Returns 1\n';
    expect(definitionProblem(1, `${header}return redis.call('GET', KEYS[2])`)).toMatch(/reads KEYS\[2\]/);
    expect(definitionProblem(1, `${header}return ARGV[2]`)).toMatch(/reads ARGV\[2\]/);
    expect(
      defineLuaScript('tail', 1, '-- KEYS[1] a\n-- ARGV[1..n] values\n-- Returns n\nreturn ARGV[7]').header,
    ).toContain('ARGV[1..n]');
  });

  it('reads a header of -- lines as well as a --[[ ]] block, and checks only the code after it', () => {
    const lines = defineLuaScript('lines', 1, '-- KEYS[1] a\n  -- ARGV[1] x\n-- Returns x\nreturn ARGV[1]');
    expect(lines.header).toBe('KEYS[1] a\n ARGV[1] x\n Returns x');
    const block = defineLuaScript('block', 1, '\n--[==[ KEYS[1] a ]] ARGV: none. Returns 1 ]==]\nreturn 1');
    expect(block.header).toContain('ARGV: none');
    // A KEYS[2] in the code (not the header) is caught even after a -- header.
    expect(
      definitionProblem(1, "-- KEYS[1] a\n-- ARGV: none\n-- Returns 1\nreturn redis.call('GET', KEYS[2])"),
    ).toMatch(/reads KEYS\[2\]/);
  });

  it('rejects bad names and key counts with a typed error', () => {
    expect(() => defineLuaScript('has-dash', 0, '')).toThrow(ScriptDefinitionError);
    expect(() => defineLuaScript('ok', -1, '')).toThrow(/numberOfKeys/);
  });
});

const addMany = defineLuaScript('addMany', 'variadic', addManySource);

describe('variadic scripts', () => {
  const definitionProblem = (numberOfKeys: number | 'variadic', source: string) => {
    try {
      defineLuaScript('bad', numberOfKeys, source);
    } catch (error) {
      expect(error).toBeInstanceOf(ScriptDefinitionError);
      return (error as ScriptDefinitionError).context.problem;
    }
    throw new Error('expected a ScriptDefinitionError');
  };

  it('reads the fixed keys before the variadic part from the header', () => {
    expect(addMany).toMatchObject({ numberOfKeys: 'variadic', minKeys: 1 });
    const symbolic = '-- KEYS[i] one per item\n-- ARGV[i] its cost\n-- Returns: n\nreturn #KEYS';
    expect(defineLuaScript('perItem', 'variadic', symbolic).minKeys).toBe(0);
    const range = '-- KEYS[1] a, KEYS[2] b, KEYS[3..] items\n-- ARGV: none\n-- Returns n\nreturn KEYS[9]';
    expect(defineLuaScript('range', 'variadic', range).minKeys).toBe(2);
  });

  it('keeps the header meaningful: variadic keys documented, fixed counts not variadic', () => {
    expect(definitionProblem('variadic', '-- KEYS[1] a\n-- ARGV: none\n-- Returns 1\nreturn 1')).toMatch(
      /must document the keys as KEYS\[1\.\.n\]/,
    );
    expect(definitionProblem(2, '-- KEYS[i] items\n-- ARGV: none\n-- Returns 1\nreturn 1')).toMatch(
      /declare the script 'variadic'/,
    );
    expect(definitionProblem(1, '-- KEYS[1..n] items\n-- ARGV: none\n-- Returns 1\nreturn 1')).toMatch(
      /declare the script 'variadic'/,
    );
    expect(
      definitionProblem('variadic', '-- KEYS[1] a, KEYS[3..n] items\n-- ARGV: none\n-- Returns 1\nreturn 1'),
    ).toMatch(/not each of KEYS\[1\]…KEYS\[2\]/);
    // ARGV and the return value are checked as for any script.
    expect(definitionProblem('variadic', '-- KEYS[1..n] items\n-- Returns 1\nreturn ARGV[1]')).toMatch(
      /ARGV/,
    );
    expect(definitionProblem('variadic', '-- KEYS[1..n] items\n-- ARGV: none\nreturn 1')).toMatch(/return/);
    expect(() => defineLuaScript('x', 'some' as never, addManySource)).toThrow(/'variadic'/);
  });
});

describe('loadScripts', () => {
  const ctx = useRedis();

  it('runs a variadic script with as many keys as each call brings (run, runBuffer, queue)', async () => {
    const scripts = loadScripts(ctx.redis, [addMany, incrBy]);
    const total = ctx.key('total');
    const counters = (n: number) => Array.from({ length: n }, (_, i) => ctx.key('c', i));
    expect(await scripts.run('addMany', [total, ...counters(1)], [5])).toEqual([5, 5]);
    expect(await scripts.run('addMany', [total, ...counters(3)], [2])).toEqual([11, 7, 2, 2]);
    expect(await scripts.run('addMany', [total], [9])).toEqual([11]); // the fixed key alone
    expect(await scripts.runBuffer('addMany', [total, ...counters(2)], [1])).toEqual([13, 8, 3]);

    const pipeline = ctx.redis.pipeline();
    scripts.queue(pipeline, 'addMany', [total, ...counters(5)], [1]);
    scripts.queue(pipeline, 'incrBy', [total], [100]);
    scripts.queue(pipeline, 'addMany', [total, ...counters(1)], [1]);
    const results = (await pipeline.exec())?.map(([error, value]) => error ?? value);
    expect(results).toEqual([[18, 9, 4, 3, 1, 1], 118, [119, 10]]);

    // Fewer keys than the header fixes: refused before anything is sent.
    await expect(scripts.run('addMany', [], [1])).rejects.toMatchObject({
      code: 'E_SCRIPT_CALL',
      context: { expectedKeys: 1, actualKeys: 0 },
    });
    expect(await ctx.redis.get(total)).toBe('119');
  });

  it('refuses the same name with another key count on one client', () => {
    loadScripts(ctx.redis, [addMany]);
    // Only a hand-built script can carry one source with two counts (headers forbid it).
    const asFixed = { ...addMany, numberOfKeys: 3, minKeys: 3 };
    expect(() => loadScripts(ctx.redis, [asFixed])).toThrow(ScriptConflictError);
  });

  it('runs scripts with EVALSHA: the source goes over the wire once per connection and after NOSCRIPT', async () => {
    const client = ctx.client();
    const scripts = loadScripts(client, [incrBy]);
    const before = await scriptCalls(ctx.redis);
    for (let i = 0; i < 5; i++) await scripts.run('incrBy', [ctx.key('n')], [1]);
    expect(diff(await scriptCalls(ctx.redis), before)).toEqual({ eval: 1, evalsha: 4 });

    await ctx.redis.script('FLUSH');
    const flushed = await scriptCalls(ctx.redis);
    expect(await scripts.run('incrBy', [ctx.key('n')], [1])).toBe(6); // NOSCRIPT, then EVAL
    expect(await scripts.run('incrBy', [ctx.key('n')], [1])).toBe(7); // EVALSHA again
    expect(diff(await scriptCalls(ctx.redis), flushed)).toEqual({ eval: 1, evalsha: 2 });
  });

  it('reloads scripts queued on a pipeline after SCRIPT FLUSH', async () => {
    const scripts = loadScripts(ctx.redis, [incrBy, addMany]);
    expect(await scripts.run('incrBy', [ctx.key('n')], [1])).toBe(1);
    await ctx.redis.script('FLUSH');
    const pipeline = ctx.redis.pipeline();
    scripts.queue(pipeline, 'incrBy', [ctx.key('n')], [1]);
    scripts.queue(pipeline, 'addMany', [ctx.key('t'), ctx.key('a')], [2]);
    scripts.queue(pipeline, 'incrBy', [ctx.key('n')], [1]);
    const results = (await pipeline.exec())?.map(([error, value]) => error ?? value);
    expect(results).toEqual([2, [2, 2], 3]);
  });

  it('runs scripts by name, with keys checked against the declared count', async () => {
    const scripts = loadScripts(ctx.redis, [incrBy, swap]);
    expect(scripts.commandName('incrBy')).toBe('covina_incrBy_v1');
    expect(await scripts.run('incrBy', [ctx.key('n')], [5])).toBe(5);
    expect(await scripts.run('incrBy', [ctx.key('n')], ['2'])).toBe(7);

    await ctx.redis.mset(ctx.key('a'), 'A', ctx.key('b'), 'B');
    await scripts.run('swap', [ctx.key('a'), ctx.key('b')], []);
    expect(await ctx.redis.mget(ctx.key('a'), ctx.key('b'))).toEqual(['B', 'A']);

    await expect(scripts.run('incrBy', [ctx.key('n'), ctx.key('x')], [1])).rejects.toBeInstanceOf(
      ScriptCallError,
    );
    // @ts-expect-error an unknown name is a type error too
    await expect(scripts.run('nope', [], [])).rejects.toThrow(/No Lua script named "nope"/);
  });

  it('reloads transparently after SCRIPT FLUSH', async () => {
    const scripts = loadScripts(ctx.redis, [incrBy]);
    expect(await scripts.run('incrBy', [ctx.key('n')], [1])).toBe(1);
    await ctx.redis.script('FLUSH');
    expect(await ctx.redis.script('EXISTS', sha(incrBy.source))).toEqual([0]);
    expect(await scripts.run('incrBy', [ctx.key('n')], [1])).toBe(2);
    // A second client after the flush: its first call also finds no script and loads it.
    await ctx.redis.script('FLUSH');
    const other = ctx.client();
    expect(await loadScripts(other, [incrBy]).run('incrBy', [ctx.key('n')], [1])).toBe(3);
  });

  it('returns Buffers from runBuffer and queues calls on a pipeline', async () => {
    const scripts = loadScripts(ctx.redis, [incrBy]);
    expect(await scripts.runBuffer('incrBy', [ctx.key('n')], [3])).toBe(3);
    const pipeline = ctx.redis.pipeline();
    for (let i = 0; i < 3; i++) scripts.queue(pipeline, 'incrBy', [ctx.key('n')], [1]);
    const results = await pipeline.exec();
    expect(results?.map(([error, value]) => error ?? value)).toEqual([4, 5, 6]);
  });

  it('is idempotent on one client and refuses a different source under the same versioned name', async () => {
    loadScripts(ctx.redis, [incrBy]);
    const again = loadScripts(ctx.redis, [incrBy]);
    expect(await again.run('incrBy', [ctx.key('n')], [1])).toBe(1);

    const changed = defineLuaScript('incrBy', 1, incrBy.source.replace('INCRBY', 'DECRBY'));
    expect(() => loadScripts(ctx.redis, [changed])).toThrow(ScriptConflictError);
    const v2 = loadScripts(ctx.redis, [changed], { version: 2 });
    expect(v2.commandName('incrBy')).toBe('covina_incrBy_v2');
    expect(await v2.run('incrBy', [ctx.key('n')], [1])).toBe(0);
    const conflict = (() => {
      try {
        loadScripts(ctx.redis, [changed]);
      } catch (error) {
        return error;
      }
    })();
    expect(isCovinaError(conflict, 'E_SCRIPT_CONFLICT')).toBe(true);
  });
});

function sha(source: string): string {
  return createHash('sha1').update(source).digest('hex');
}

/** Calls of EVAL and EVALSHA on this test worker's server so far (INFO commandstats). */
async function scriptCalls(redis: Redis): Promise<{ eval: number; evalsha: number }> {
  const info = await redis.info('commandstats');
  const calls = (command: string) =>
    Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { eval: calls('eval'), evalsha: calls('evalsha') };
}

function diff(after: { eval: number; evalsha: number }, before: { eval: number; evalsha: number }) {
  return { eval: after.eval - before.eval, evalsha: after.evalsha - before.evalsha };
}
