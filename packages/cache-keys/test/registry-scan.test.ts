import { scanKeys, useRedis } from '@covina/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyRegistry } from '../src/index.js';

const ctx = useRedis();

/** Every key under this test's prefix that SCAN MATCH `pattern` returns (raw: no filtering). */
const scanAll = async (pattern: string) =>
  (await scanKeys(ctx.redis, pattern)).filter((key) => key.startsWith(`${ctx.prefix}:`));

// Values made mostly of glob syntax: `*`, `?`, `[`, `]`, `\`, and what gives them meaning inside
// a class (`^`, `-`, `!`), plus letters so patterns have something to widen to.
const globby = fc
  .array(fc.constantFrom('a', 'b', '1', '*', '?', '[', ']', '\\', '^', '-', '!'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((chars) => chars.join(''));

describe('pattern() against a real SCAN', () => {
  it('a value never widens the pattern: each full pattern matches exactly its own key', async () => {
    const keys = createKeyRegistry({ prefix: ctx.prefix, defaults: false })
      .register('task', '{{pipeline}}:task:{id}')
      .register('taskDeps', '{{pipeline}}:task:{id}:deps');
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(globby, { minLength: 2, maxLength: 6 }),
        fc.constantFrom('p', 'p*', 'p?', '[p]'),
        async (ids, pipeline) => {
          const written = ids.map((id) => keys.format('task', { pipeline, id }));
          await ctx.redis.mset(written.flatMap((key) => [key, '1']));
          try {
            for (const [i, id] of ids.entries()) {
              expect(await scanAll(keys.pattern('task', { pipeline, id }))).toEqual([written[i]]);
            }
            // With the id left out, the pattern matches every id of this pipeline, and only them.
            expect(await scanAll(keys.pattern('task', { pipeline }))).toEqual([...written].sort());
          } finally {
            await ctx.redis.unlink(...written);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('escapes glob characters in the prefix as well', async () => {
    const odd = createKeyRegistry({ prefix: `${ctx.prefix}:we*r[d]`, defaults: false }).register(
      'doc',
      'doc:{document_uuid}',
    );
    const plain = createKeyRegistry({ prefix: `${ctx.prefix}:weXrd`, defaults: false }).register(
      'doc',
      'doc:{document_uuid}',
    );
    await ctx.redis.set(odd.format('doc', { document_uuid: 'd1' }), '1');
    await ctx.redis.set(plain.format('doc', { document_uuid: 'd1' }), '1');
    expect(await scanAll(odd.pattern('doc'))).toEqual([odd.format('doc', { document_uuid: 'd1' })]);
  });
});
