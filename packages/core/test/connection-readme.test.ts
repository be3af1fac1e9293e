import { runReadmeExample, useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';

describe('README quick start', () => {
  const ctx = useRedis();

  it('embeds examples/quick-start.ts verbatim, and the example runs against Redis', async () => {
    const printed = await runReadmeExample({
      readme: new URL('../README.md', import.meta.url),
      example: new URL('../examples/quick-start.ts', import.meta.url),
      env: { COVINA_REDIS_URL: ctx.url },
    });
    expect(printed[0]).toEqual(['hello covina']);
    expect(printed[1]).toEqual(['standalone', true, 'closed']);
  });
});
