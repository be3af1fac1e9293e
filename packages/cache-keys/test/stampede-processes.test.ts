import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useRedis } from '@covina/testkit';
import { afterEach, expect, it } from 'vitest';

const ctx = useRedis();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const child = (args: string[]) => {
  const proc = fork(fileURLToPath(new URL('./fixtures/stampede-child.ts', import.meta.url)), args, {
    execArgv: [
      '--import',
      'tsx',
      '--import',
      fileURLToPath(new URL('./fixtures/lua-hooks.mjs', import.meta.url)),
    ],
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  return proc;
};

const next = (proc: ChildProcess) =>
  new Promise<unknown>((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });

it('two processes missing the same keys at once call each loader once in total', async () => {
  const keyCount = 4;
  const procs = [
    child([ctx.url, ctx.prefix, String(keyCount), '5']),
    child([ctx.url, ctx.prefix, String(keyCount), '5']),
  ];
  await Promise.all(procs.map(next)); // both ready
  const results = procs.map(next);
  for (const proc of procs) proc.send('go');
  const [a, b] = (await Promise.all(results)) as Array<{ values: Array<{ id: string; by: number }> }>;

  expect(Number(await ctx.redis.get(`${ctx.prefix}:loader-calls`))).toBe(keyCount);
  // Every caller in both processes got the one loaded value of its key.
  const byId = new Map<string, number>();
  for (const v of [...a!.values, ...b!.values]) {
    expect(byId.get(v.id) ?? v.by).toBe(v.by);
    byId.set(v.id, v.by);
  }
  expect(byId.size).toBe(keyCount);
}, 60_000);
