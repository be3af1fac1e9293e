import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ping, resolveBinary } from '@covina/embedded-server';

export interface SentinelHandle {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * One Redis Sentinel watching `master` under `name` (quorum 1), for tests. Sentinel needs a
 * writable config file on disk (it rewrites it), so it is started here rather than through
 * `startRedis`, which hands redis-server its config on stdin. Killed by `stop()` or when this
 * process exits.
 */
export async function startSentinel(
  master: { host: string; port: number },
  name = 'mymaster',
): Promise<SentinelHandle> {
  const { path } = await resolveBinary();
  const dir = await mkdtemp(join(tmpdir(), 'covina-sentinel-'));
  const host = '127.0.0.1';
  const port = await freePort(host);
  const config = join(dir, 'sentinel.conf');
  await writeFile(
    config,
    [
      `port ${port}`,
      `bind ${host}`,
      'daemonize no',
      `dir ${dir}`,
      `sentinel monitor ${name} ${master.host} ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 10000`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(path, [config, '--sentinel'], { stdio: 'ignore' });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + 10_000;
  while (!(await ping({ host, port }).catch(() => false))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`redis sentinel on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host,
    port,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
