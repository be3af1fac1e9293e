import { runReadmeExample } from '@covina/testkit';
import { expect, it } from 'vitest';

it('README embeds examples/quick-start.ts verbatim, and the example runs', async () => {
  const printed = await runReadmeExample({
    readme: new URL('../README.md', import.meta.url),
    example: new URL('../examples/quick-start.ts', import.meta.url),
  });
  expect(printed).toContainEqual([12, 3, true, 'alive']);
});
