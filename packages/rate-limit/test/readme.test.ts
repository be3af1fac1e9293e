import { runReadmeExample, useRedis } from '@covina/testkit';
import { expect, it } from 'vitest';

const ctx = useRedis();

it('README embeds examples/quick-start.ts verbatim, and the example runs against Redis', async () => {
  const printed = await runReadmeExample({
    readme: new URL('../README.md', import.meta.url),
    example: new URL('../examples/quick-start.ts', import.meta.url),
    env: { COVINA_REDIS_URL: ctx.url },
  });
  expect(printed).toEqual([[false, true], [429, '6'], ['"minute";r=0;t=60, "hour";r=990;t=36']]);
});
