/**
 * Runs the benchmarks: every `*.bench.ts` in this folder, or only those named on the command line
 * (`pnpm bench redis-start cache`), one after another, each in its own Node process so that one
 * benchmark's heap, JIT state and open handles cannot skew the next.
 *
 *   pnpm bench              # all
 *   pnpm bench redis-start  # bench/redis-start.bench.ts only
 *   pnpm bench --list       # names only
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const SUFFIX = '.bench.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});

const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(SUFFIX))
  .map((f) => f.slice(0, -SUFFIX.length))
  .sort();

if (values.help) {
  process.stdout.write('Usage: pnpm bench [--list] [name…]\n');
  process.exit(0);
}
if (values.list) {
  process.stdout.write(`${available.join('\n')}\n`);
  process.exit(0);
}

const wanted = positionals.map((name) => name.replace(/\.bench\.ts$/, ''));
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}\navailable: ${available.join(', ')}\n`);
  process.exit(2);
}
const selected = wanted.length > 0 ? wanted : available;

function runOne(name: string): Promise<number> {
  return new Promise((resolve) => {
    // The same loader and export condition as this process: benchmarks import @covina/* from src.
    const child = spawn(
      process.execPath,
      [
        '--conditions=@covina/source',
        '--import',
        'tsx',
        '--import',
        '../tools/register-lua.mjs',
        `${name}${SUFFIX}`,
      ],
      { cwd: benchDir, stdio: 'inherit', env: { COVINA_LOG_LEVEL: 'warn', ...process.env } },
    );
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const failed: string[] = [];
for (const name of selected) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const start = performance.now();
  const code = await runOne(name);
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  process.stdout.write(`=== ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s ===\n`);
  if (code !== 0) failed.push(name);
}
if (failed.length > 0) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
