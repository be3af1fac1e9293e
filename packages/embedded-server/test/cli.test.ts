import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli-args.js';
import { isAlive } from '../src/process-state.js';
import { exitOf, killLeftovers, readLines, spawnTs } from './spawn.js';

afterEach(killLeftovers);

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('covina-redis CLI', () => {
  it('runs a server in the foreground, prints its URL without the password, and stops on SIGTERM', async () => {
    const child = spawnTs(cli, ['--quiet', '--', '--hz', '40'], { COVINA_REDIS_PASSWORD: 'from-env' });
    const [url] = await readLines(child, 1);
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const redis = new Redis(`${url}`, { password: 'from-env' });
    const info = await redis.info('server');
    expect(await redis.config('GET', 'hz')).toEqual(['hz', '40']);
    redis.disconnect();
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);

    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(await isAlive(pid)).toBe(false);
  });

  it('--cluster 3 prints one URL per master, all serving one cluster', async () => {
    const child = spawnTs(cli, ['--cluster', '3', '--quiet']);
    try {
      const urls = await readLines(child, 3);
      expect(new Set(urls).size).toBe(3);
      const node = new Redis(urls[2] ?? '');
      expect(await node.cluster('INFO')).toContain('cluster_state:ok');
      node.disconnect();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
  });

  it('parses flags into options, with usage errors for what cannot work', () => {
    expect(parseCli(['--persistent', 'data', '--port', '7000', '--maxmemory', '64mb'], {})).toEqual({
      kind: 'standalone',
      quiet: false,
      passwordFromFlag: false,
      options: { persistent: 'data', port: 7000, maxmemory: '64mb' },
    });
    expect(parseCli(['--cluster', '3', '--replicas', '1'], { COVINA_REDIS_PASSWORD: 's' })).toMatchObject({
      kind: 'cluster',
      options: { masters: 3, replicasPerMaster: 1, password: 's' },
    });
    expect(parseCli(['-h'])).toEqual({ kind: 'help' });
    for (const bad of [
      ['--port', 'x'],
      ['--cluster', '3', '--port', '1'],
      ['--replicas', '1'],
      ['--nope'],
      ['stray'],
    ]) {
      expect(() => parseCli(bad, {}), bad.join(' ')).toThrow(UsageError);
    }
  });

  it('exits with 2 and the usage on a bad flag', async () => {
    const child = spawnTs(cli, ['--port', 'seven']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    expect(await exitOf(child)).toBe(2);
    expect(stderr).toMatch(/--port expects a whole number/);
    expect(stderr).toMatch(/Usage: covina-redis/);
  });
});
