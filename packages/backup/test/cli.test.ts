import { PassThrough } from 'node:stream';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { runToEnd, spawnTs } from './child.js';
import { useTempDir } from './helpers.js';
import { makeStore, seedPipeline } from './pipeline-fixture.js';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  err.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return {
    io: { stdout: out as unknown as NodeJS.WriteStream, stderr: err, env: {} as Record<string, string> },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

describe('covina-backup', () => {
  const ctx = useRedis();
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

  async function cli(args: string[], path: string) {
    const c = capture();
    c.io.env = { COVINA_REDIS_URL: ctx.url, COVINA_KEY_PREFIX: ctx.prefix, COVINA_BACKUP_PATH: path };
    const code = await runCli(args, c.io);
    return { code, stdout: c.stdout, stderr: c.stderr };
  }

  it('now, stats, list, verify, restore --dry-run and restore --yes', async () => {
    const store = makeStore(ctx.redis, ctx.prefix);
    await seedPipeline(store, 20);
    const path = `${await dir.create()}/b.db`;

    const now = await cli(['now'], path);
    expect(now.stderr).toBe('');
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/backup written: .*b\.\d{8}T\d{9}Z\.db/);
    expect(now.stdout).toMatch(/tasks 63/);

    const stats = await cli(['stats', '--json'], path);
    expect(JSON.parse(stats.stdout)).toMatchObject({ taskCount: 63, fileCount: 20, pipelines: ['docs'] });
    const list = await cli(['list'], path);
    expect(list.stdout.split('\n').filter((l) => l.startsWith('*'))).toHaveLength(1);
    const verify = await cli(['verify'], path);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toMatch(/^OK /m);

    await store.addTasks([
      { taskType: 'extra', workerType: 'x', batchId: (await store.listTasks()).tasks[0]!.batchId! },
    ]);
    const dry = await cli(['restore', '--dry-run'], path);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run:/m);
    expect(dry.stdout).toMatch(/pipeline:docs/);
    expect(await store.redis.hlen(store.keys.tasks)).toBe(64);

    const refused = await cli(['restore'], path);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    const restored = await cli(['restore', '--yes'], path);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^restored /m);
    expect(await store.redis.hlen(store.keys.tasks)).toBe(63);
  });

  it('bad usage exits 2 with help, a corrupt file exits 3', async () => {
    const path = `${await dir.create()}/b.db`;
    expect((await cli(['launch'], path)).code).toBe(2);
    expect((await cli(['now', '--bogus'], path)).code).toBe(2);
    const none = await cli(['now'], path);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No pipeline found/);
    const missing = await cli(['verify'], path);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/E_BACKUP_NOT_FOUND/);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'garbage'.repeat(1000));
    expect((await cli(['verify'], path)).code).toBe(3);
  });

  it('runs as a program: the bin entry, COVINA_REDIS_URL, plain progress lines off a terminal', async () => {
    await ctx.redis.set(`${ctx.prefix}:state:a`, 'x'.repeat(100));
    const path = `${await dir.create()}/b.db`;
    const child = spawnTs(
      new URL('../src/cli.ts', import.meta.url),
      ['now', '--prefix', `${ctx.prefix}:state:`, '--path', path],
      {
        COVINA_REDIS_URL: ctx.url,
      },
    );
    const result = await runToEnd(child);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/transfer \(bytes\): \d+/);
    expect(result.stdout).toMatch(/keys {7}1 /);
  }, 30_000);
});

describe('progress output', () => {
  it('draws a bar on a terminal and plain lines elsewhere', async () => {
    const { createProgress } = await import('../src/cli/progress.js');
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let drawn = '';
    terminal.on('data', (c: Buffer) => {
      drawn += c.toString();
    });
    const bar = createProgress(terminal as unknown as NodeJS.WriteStream);
    bar.update(5, 10, 'restore (keys)');
    bar.update(10, 10, 'restore (keys)');
    bar.stop();
    expect(drawn).toMatch(/restore \(keys\) \[[█░]+\] 100% \| 10\/10/);

    const pipe = new PassThrough();
    let lines = '';
    pipe.on('data', (c: Buffer) => {
      lines += c.toString();
    });
    const plain = createProgress(pipe as unknown as NodeJS.WriteStream);
    plain.update(5, 10, 'restore (keys)');
    plain.update(6, 10, 'restore (keys)'); // within 2 s of the last line: not printed
    plain.update(1, 4, 'check (keys)');
    expect(lines).toBe('restore (keys): 5/10 (50%)\ncheck (keys): 1/4 (25%)\n');
  });
});
