// Node module hook: the sources import Lua scripts as strings (tsup's `text` loader in the build,
// a transform in vitest); benchmarks run the sources, so they load .lua files the same way.
import { readFile } from 'node:fs/promises';

export async function load(url, context, next) {
  if (!url.endsWith('.lua')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(source)};`, shortCircuit: true };
}
