import { deleteByPrefix, runReadmeExample, useRedis } from '@covina/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';

const ctx = useRedis();
const pipelines = ['covina:{quick-start}', 'covina:{journal-demo}'];
const clean = async () => {
  for (const prefix of pipelines) await deleteByPrefix(ctx.redis, prefix);
};
beforeEach(clean);
afterEach(clean);

const run = (example: string) =>
  runReadmeExample({
    readme: new URL('../README.md', import.meta.url),
    example: new URL(example, import.meta.url),
    env: { COVINA_REDIS_URL: ctx.url },
  });

it('README embeds examples/quick-start.ts verbatim, and it runs against Redis', async () => {
  expect(await run('../examples/quick-start.ts')).toEqual([
    [2, { ready: 1, waiting: 1 }],
    [1, 0],
    [['extract:ready', 'index:waiting']],
    [2, true],
  ]);
});

it('README embeds examples/outage-journal.ts verbatim, and it runs against Redis', async () => {
  expect(await run('../examples/outage-journal.ts')).toEqual([
    [true, 2],
    ['/inbox/late.pdf', 'ready'],
  ]);
});
