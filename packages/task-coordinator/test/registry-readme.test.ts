import { assertReadmeEmbeds } from '@covina/testkit';
import { expect, it, vi } from 'vitest';

it('README embeds examples/quick-start.ts verbatim, and the example runs', async () => {
  await assertReadmeEmbeds(
    new URL('../README.md', import.meta.url),
    new URL('../examples/quick-start.ts', import.meta.url),
  );
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import('../examples/quick-start.js');
    expect(log).toHaveBeenCalledWith(12, 3, true, 'alive');
  } finally {
    log.mockRestore();
  }
});
