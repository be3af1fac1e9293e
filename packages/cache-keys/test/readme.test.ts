import { runReadmeExample, useRedis } from '@covina/testkit';
import { expect, it } from 'vitest';

const ctx = useRedis();

it('README embeds examples/quick-start.ts verbatim, and the example runs against Redis', async () => {
  const printed = await runReadmeExample({
    readme: new URL('../README.md', import.meta.url),
    example: new URL('../examples/quick-start.ts', import.meta.url),
    env: { COVINA_REDIS_URL: ctx.url },
  });
  expect(printed[0]).toEqual(['covina:cache:thumb:d41d8c']);
  expect(printed[1]).toEqual([{ name: 'docOcr', params: { document_uuid: 'd41d8c' } }]);
  expect(printed[2]).toEqual([1, { width: 320, height: 240 }]);
  expect(printed[3]).toEqual([1]);
  expect(printed[4]?.[0]).toMatchObject({ hits: 1, misses: 2, loads: 1, sets: 1, deletes: 1 });
});
