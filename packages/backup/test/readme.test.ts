import { assertReadmeEmbeds, deleteByPrefix, useRedis } from '@covina/testkit';
import { afterEach, expect, it, vi } from 'vitest';

const ctx = useRedis();
const pipelines = ['covina:{quick-start}', 'covina:{journal-demo}'];
afterEach(async () => {
  for (const prefix of pipelines) await deleteByPrefix(ctx.redis, prefix);
});

async function run(example: string): Promise<unknown[][]> {
  for (const prefix of pipelines) await deleteByPrefix(ctx.redis, prefix);
  const printed: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args) => void printed.push(args));
  vi.stubEnv('COVINA_REDIS_URL', ctx.url);
  try {
    await import(example);
  } finally {
    log.mockRestore();
    vi.unstubAllEnvs();
  }
  return printed;
}

it('README embeds examples/quick-start.ts verbatim, and it runs against Redis', async () => {
  await assertReadmeEmbeds(
    new URL('../README.md', import.meta.url),
    new URL('../examples/quick-start.ts', import.meta.url),
  );
  const printed = await run('../examples/quick-start.js');
  expect(printed).toEqual([
    [2, { ready: 1, waiting: 1 }],
    [1, 0],
    [['extract:ready', 'index:waiting']],
    [2, true],
  ]);
});

it('README embeds examples/outage-journal.ts verbatim, and it runs against Redis', async () => {
  await assertReadmeEmbeds(
    new URL('../README.md', import.meta.url),
    new URL('../examples/outage-journal.ts', import.meta.url),
  );
  const printed = await run('../examples/outage-journal.js');
  expect(printed).toEqual([
    [true, 2],
    ['/inbox/late.pdf', 'ready'],
  ]);
});
