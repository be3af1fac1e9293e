import { assertReadmeEmbeds } from '@covina/testkit';
import { expect, it, vi } from 'vitest';

it('README embeds examples/worker.ts verbatim, and the example runs', async () => {
  await assertReadmeEmbeds(
    new URL('../README.md', import.meta.url),
    new URL('../examples/worker.ts', import.meta.url),
  );
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import('../examples/worker.js');
    expect(log).toHaveBeenCalledWith(1, 3, { pages: 12 });
  } finally {
    log.mockRestore();
  }
});
