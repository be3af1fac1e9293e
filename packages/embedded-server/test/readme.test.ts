import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf, killLeftovers, readLines, spawnTs } from './spawn.js';

afterEach(killLeftovers);

// Not @covina/testkit's assertReadmeEmbeds: testkit depends on this package, not the reverse.
async function readmeEmbeds(readme: URL, example: URL): Promise<boolean> {
  const [markdown, source] = await Promise.all([readFile(readme, 'utf8'), readFile(example, 'utf8')]);
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].some((m) => m[1]?.trim() === source.trim());
}

describe('README', () => {
  it('embeds examples/quick-start.ts verbatim, and that example runs as a script', async () => {
    const example = new URL('../examples/quick-start.ts', import.meta.url);
    expect(await readmeEmbeds(new URL('../README.md', import.meta.url), example)).toBe(true);

    // A process of its own, as a user runs it: it must also exit by itself once done.
    const child = spawnTs(fileURLToPath(example), [], { COVINA_LOG_LEVEL: 'warn' });
    const lines = await readLines(child, 2);
    expect(lines[0]).toMatch(/^redis:\/\/127\.0\.0\.1:\d+ hello$/);
    expect(lines[1]).toBe('Ada');
    expect(await exitOf(child)).toBe(0);
  });
});
