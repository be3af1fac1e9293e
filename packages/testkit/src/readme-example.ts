import { readFile } from 'node:fs/promises';

/**
 * Keeps a package README's example honest: the example lives in a compiled, tested file and
 * the README must embed that file's text verbatim (inside a ```ts fence). Throws when it drifts.
 */
export async function assertReadmeEmbeds(readme: URL, example: URL): Promise<void> {
  const [markdown, source] = await Promise.all([readFile(readme, 'utf8'), readFile(example, 'utf8')]);
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]?.trim());
  if (!blocks.includes(source.trim())) {
    throw new Error(
      `${readme.pathname} does not embed ${example.pathname} verbatim in a \`\`\`ts block; copy the file's text into the README.`,
    );
  }
}

export interface RunReadmeExampleOptions {
  /** The package README that must embed the example verbatim. */
  readme: URL;
  /** The example file (a top-level script that prints with console.log). */
  example: URL;
  /** Environment for the run (e.g. `{ COVINA_REDIS_URL: ctx.url }`), restored afterwards. */
  env?: Record<string, string>;
}

/**
 * Checks the README embeds the example, runs the example once with `env`, and returns what it
 * printed through console.log (one array of arguments per call), so a test can assert on it.
 */
export async function runReadmeExample(options: RunReadmeExampleOptions): Promise<unknown[][]> {
  await assertReadmeEmbeds(options.readme, options.example);
  const saved = new Map(Object.keys(options.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, options.env);
  const printed: unknown[][] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args);
  try {
    await import(/* @vite-ignore */ options.example.pathname);
  } finally {
    console.log = log;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return printed;
}
