import { expect, it } from 'vitest';
import { assertReadmeEmbeds } from '../src/index.js';
// The example is a test file: importing it here registers its describe blocks, so they run.
import '../examples/quick-start.js';

it('README embeds examples/quick-start.ts verbatim', async () => {
  await expect(
    assertReadmeEmbeds(
      new URL('../README.md', import.meta.url),
      new URL('../examples/quick-start.ts', import.meta.url),
    ),
  ).resolves.toBeUndefined();
});
