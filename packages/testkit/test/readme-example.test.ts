import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertReadmeEmbeds } from '../src/index.js';

describe('assertReadmeEmbeds', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function files(readme: string, example: string) {
    const dir = await mkdtemp(join(tmpdir(), 'covina-readme-'));
    dirs.push(dir);
    await writeFile(join(dir, 'README.md'), readme);
    await writeFile(join(dir, 'example.ts'), example);
    return [pathToFileURL(join(dir, 'README.md')), pathToFileURL(join(dir, 'example.ts'))] as const;
  }

  it('passes when a ts block holds the example verbatim', async () => {
    const example = 'const a = 1;\nconsole.log(a);\n';
    const [readme, file] = await files(
      `# X\n\n\`\`\`sh\nls\n\`\`\`\n\n\`\`\`ts\n${example}\`\`\`\n`,
      example,
    );
    await expect(assertReadmeEmbeds(readme, file)).resolves.toBeUndefined();
  });

  it('throws when the README copy has drifted', async () => {
    const [readme, file] = await files('```ts\nconst a = 2;\n```\n', 'const a = 1;\n');
    await expect(assertReadmeEmbeds(readme, file)).rejects.toThrow(/does not embed/);
  });
});
