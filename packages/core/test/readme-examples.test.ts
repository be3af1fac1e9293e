import { runReadmeExample, useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';

const readme = new URL('../README.md', import.meta.url);

describe('README examples', () => {
  const ctx = useRedis();

  it('state store: embedded verbatim and runs against Redis', async () => {
    const printed = await runReadmeExample({
      readme,
      example: new URL('../examples/state-store.ts', import.meta.url),
      env: { COVINA_REDIS_URL: ctx.url },
    });
    expect(printed).toEqual([[{ step: 3 }], [true], [[4, 2, null]], [['user:42']], [4]]);
  });

  it('plugins: embedded verbatim, validates and orders the stages', async () => {
    const printed = await runReadmeExample({
      readme,
      example: new URL('../examples/plugin.ts', import.meta.url),
    });
    expect(printed).toEqual([[['extract', 'word-count']]]);
  });
});
