import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = new URL('../src/cli.ts', import.meta.url).pathname;
// Runs the CLI from source, loading .lua files as text the way the build bundles them.
const registerLua = new URL('../../../tools/register-lua.mjs', import.meta.url).pathname;

function runCovina(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(
    process.execPath,
    ['--conditions=@covina/source', '--import', 'tsx', '--import', registerLua, cli, ...args],
    {
      env: { ...process.env, COVINA_REDIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const waitFor = async (text: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; output:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('covina start', () => {
  it('starts a persistent embedded Redis under the data dir, prints a health line, stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'covina-app-'));
    try {
      const app = runCovina(['start', '--data', dataDir]);
      await app.waitFor('ready');
      expect(app.output()).toMatch(
        /redis \d+\.\d+\.\d+ \(standalone\) · memory [\d.]+ MB · latency \d+\.\d+ ms/,
      );
      const redisPid = Number(/pid (\d+), data in /.exec(app.output())?.[1]);
      expect(alive(redisPid)).toBe(true);
      expect(await readdir(dataDir)).toContain('appendonlydir'); // persistent: AOF under the data dir

      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      expect(app.output()).toContain('stopped');
      expect(alive(redisPid)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('connects to COVINA_REDIS_URL when set and never prints its password', async () => {
    const { startRedis } = await import('@covina/embedded-server');
    const server = await startRedis({ password: 's3cret-pw', logger: { info() {}, warn() {} } });
    try {
      const app = runCovina(['start'], { COVINA_REDIS_URL: server.url });
      await app.waitFor('ready');
      expect(app.output()).toContain(`127.0.0.1:${server.port}`);
      expect(app.output()).not.toContain('s3cret-pw');
      expect(app.output()).not.toContain('embedded redis-server');
      app.child.kill('SIGINT');
      expect(await app.exited).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('exits non-zero with usage on an unknown command', async () => {
    const app = runCovina(['frobnicate']);
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('unknown command');
  });
});
