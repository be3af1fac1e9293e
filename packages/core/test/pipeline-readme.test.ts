import { runReadmeExample, useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';

describe('README: pipeline store example', () => {
  const ctx = useRedis();

  it('is embedded verbatim and runs against Redis', async () => {
    const printed = await runReadmeExample({
      readme: new URL('../README.md', import.meta.url),
      example: new URL('../examples/pipeline.ts', import.meta.url),
      env: { COVINA_REDIS_URL: ctx.url },
    });
    expect(printed).toEqual([
      [null],
      ['nlp_processing', 1, { language: 'en' }],
      [true, 100, 2],
      ['completed'],
      [{ pages: 12 }],
    ]);
  });
});

describe('README: pipeline worker and partitioned examples', () => {
  const ctx = useRedis();

  it('worker loop: two workers run every task, woken without polling', async () => {
    const printed = await runReadmeExample({
      readme: new URL('../README.md', import.meta.url),
      example: new URL('../examples/pipeline-worker.ts', import.meta.url),
      env: { COVINA_REDIS_URL: ctx.url },
    });
    expect(printed).toEqual([[[1, 2, 3].map((page) => ({ text: `text of page ${page}` }))]]);
  });

  it('partitioned pipeline: routes, claims across partitions and sums progress', async () => {
    const printed = await runReadmeExample({
      readme: new URL('../README.md', import.meta.url),
      example: new URL('../examples/pipeline-partitioned.ts', import.meta.url),
      env: { COVINA_REDIS_URL: ctx.url },
    });
    expect(printed).toEqual([[4, true, 4]]);
  });
});
