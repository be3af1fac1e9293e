import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  ping,
  type RedisServerHandle,
  resolveBinary,
  silentLogger,
  startRedis,
} from '@covina/embedded-server';
import { Redis } from 'ioredis';

/** A master, its replica and one Sentinel watching them: for failover tests. */
export interface SentinelGroup {
  /** The name the sentinel knows the master by (`sentinelName` / ioredis `name`). */
  readonly name: string;
  /** The master at start; after `failover()` it is the replica of `replica`. */
  readonly master: RedisServerHandle;
  /** The replica at start; `failover()` promotes it. */
  readonly replica: RedisServerHandle;
  /** Where clients ask for the master (`sentinels` of ioredis or `createRedis`). */
  readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
  /**
   * Asks the sentinel to fail over; resolves once `replica` is the master and the old master
   * its replica. Clients of the old master must follow on their own (the sentinel announces
   * `+switch-master`; the demoted server answers writes with READONLY).
   */
  failover(): Promise<void>;
  /** Stops the sentinel and both servers. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`sentinel group: ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Runs `fn` with a short-lived plain connection (admin commands, never the test's clients). */
async function withConnection<T>(at: { host: string; port: number }, fn: (redis: Redis) => Promise<T>) {
  const redis = new Redis({ host: at.host, port: at.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

const fields = (flat: string[]) => new Map(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]])));

/**
 * Starts a master, a replica in sync with it and a Sentinel (quorum 1) that already sees the
 * replica as a failover candidate. Sentinel rewrites its config file, so it gets one in a temp
 * dir (unlike `startRedis`, which hands redis-server its config on stdin); everything is killed
 * by `stop()` or when this process exits.
 */
export async function startSentinelGroup(name = 'mymaster'): Promise<SentinelGroup> {
  const logger = silentLogger;
  // The replica syncs at once (Redis 7 waits 5 s for more replicas before a diskless sync).
  const master = await startRedis({ logger, args: ['--repl-diskless-sync-delay', '0'] });
  const replica = await startRedis({
    logger,
    args: ['--replicaof', master.host, String(master.port), '--repl-diskless-sync-delay', '0'],
  });
  const stopServers = () => Promise.all([replica.stop(), master.stop()]);
  let sentinel: ChildProcess | undefined;
  let dir = '';
  const host = '127.0.0.1';
  let port = 0;
  const killOnExit = () => sentinel?.kill('SIGKILL');
  try {
    // In sync before the sentinel first looks (it looks again only every 10 s).
    await until(
      'the replica did not sync',
      () =>
        withConnection(replica, async (r) => (await r.info('replication')).includes('master_link_status:up')),
      20_000,
    );
    const { path } = await resolveBinary();
    dir = await mkdtemp(join(tmpdir(), 'covina-sentinel-'));
    port = await freePort(host);
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
    sentinel = spawn(path, [config, '--sentinel'], { stdio: 'ignore' });
    process.once('exit', killOnExit);
    await until('the sentinel did not start', () => ping({ host, port }), 10_000);
    // The sentinel must see the replica in sync before it can fail over to it.
    await until(
      'the sentinel did not see the replica',
      () =>
        withConnection({ host, port }, async (s) => {
          const replicas = (await s.call('SENTINEL', 'REPLICAS', name)) as string[][];
          return replicas.some((flat) => {
            const info = fields(flat);
            return (
              info.get('port') === String(replica.port) &&
              info.get('flags') === 'slave' &&
              info.get('master-link-status') === 'ok'
            );
          });
        }),
      20_000,
    );
  } catch (error) {
    sentinel?.kill('SIGKILL');
    process.off('exit', killOnExit);
    await stopServers();
    if (dir) await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    name,
    master,
    replica,
    sentinels: [{ host, port }],
    async failover() {
      // NOGOODSLAVE until the sentinel's next look at the replica: ask again.
      await until(
        'the sentinel refused to fail over',
        () =>
          withConnection({ host, port }, async (s) => (await s.call('SENTINEL', 'FAILOVER', name)) === 'OK'),
        20_000,
      );
      await until(
        'the replica was not promoted',
        () => withConnection(replica, async (r) => (await r.info('replication')).includes('role:master')),
        20_000,
      );
      // Until the sentinel demotes the old master, it still takes writes that will be lost.
      await until(
        'the old master was not demoted',
        () =>
          withConnection(master, async (m) => {
            const info = await m.info('replication');
            return info.includes('role:slave') && info.includes(`master_port:${replica.port}`);
          }),
        20_000,
      );
    },
    async stop() {
      process.off('exit', killOnExit);
      if (sentinel && sentinel.exitCode === null) {
        const exited = new Promise((resolve) => sentinel?.once('exit', resolve));
        sentinel.kill('SIGKILL');
        await exited;
      }
      await stopServers();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
