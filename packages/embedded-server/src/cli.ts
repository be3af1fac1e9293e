#!/usr/bin/env node
import { createRequire } from 'node:module';
import { type CliCommand, parseCli, USAGE, UsageError } from './cli-args.js';
import type { RedisClusterHandle } from './cluster/options.js';
import { startCluster } from './cluster/start-cluster.js';
import { EmbeddedRedisError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { RedisServerHandle } from './options.js';
import { isAlive } from './process-state.js';
import { startRedis } from './start-redis.js';

/** Human log lines on stderr: `covina-redis: <msg> key=value …`. */
const stderrLogger: Logger = {
  info: (obj, msg) => process.stderr.write(`covina-redis: ${msg ?? ''} ${format(obj)}\n`),
  warn: (obj, msg) => process.stderr.write(`covina-redis: warning: ${msg ?? ''} ${format(obj)}\n`),
};

function format(obj: object): string {
  return Object.entries(obj)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/** The URL without credentials: what the CLI prints. */
function publicUrl(host: string, port: number): string {
  return `redis://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function start(cmd: Extract<CliCommand, { kind: 'standalone' | 'cluster' }>) {
  const logger = cmd.quiet ? silentLogger : stderrLogger;
  if (cmd.passwordFromFlag && !cmd.quiet) {
    logger.warn({}, '--password is visible to other users in `ps`; prefer COVINA_REDIS_PASSWORD');
  }
  if (cmd.kind === 'cluster') {
    const cluster: RedisClusterHandle = await startCluster({ ...cmd.options, logger });
    return { servers: cluster.nodes.map((n) => n.server), stop: () => cluster.stop() };
  }
  const server: RedisServerHandle = await startRedis({ ...cmd.options, logger });
  return { servers: [server], stop: () => server.stop() };
}

async function main(): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`covina-redis: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (cmd.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (cmd.kind === 'version') {
    const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }

  const running = await start(cmd);
  for (const s of running.servers) process.stdout.write(`${publicUrl(s.host, s.port)}\n`);

  return new Promise<number>((resolve) => {
    let exiting = false;
    const shutdown = async (code: number) => {
      if (exiting) return;
      exiting = true;
      clearInterval(watch);
      await running.stop();
      resolve(code);
    };
    process.once('SIGINT', () => void shutdown(0));
    process.once('SIGTERM', () => void shutdown(0));
    // Keeps the process alive, and notices a server that died on its own.
    const watch = setInterval(async () => {
      for (const s of running.servers) {
        if (!exiting && !(await isAlive(s.pid))) {
          process.stderr.write(`covina-redis: redis-server on port ${s.port} exited\n${s.logTail()}\n`);
          void shutdown(1);
        }
      }
    }, 500);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message =
      err instanceof EmbeddedRedisError ? err.message : err instanceof Error ? err.stack : String(err);
    process.stderr.write(`covina-redis: ${message}\n`);
    process.exit(1);
  },
);
