import { runReadmeExample } from '@covina/testkit';
import { expect, it } from 'vitest';

it('README embeds examples/worker.ts verbatim, and the example runs', async () => {
  const printed = await runReadmeExample({
    readme: new URL('../README.md', import.meta.url),
    example: new URL('../examples/worker.ts', import.meta.url),
  });
  expect(printed).toContainEqual([1, 3, { pages: 12 }]);
});
