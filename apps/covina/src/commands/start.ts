import { resolve } from 'node:path';
import { createRedis, getConnectionStatus, redactUrl } from '@covina/core';
import { type RedisServerHandle, silentLogger, startRedis } from '@covina/embedded-server';
import { formatHealthLine } from '../health-line.js';

export interface StartOptions {
  /** Data dir of the embedded Redis. @default './data' */
  dataDir: string;
  /** Use this Redis instead of starting one. @default process.env.COVINA_REDIS_URL */
  redisUrl?: string;
  /** Where lines go. @default process.stdout */
  out?: NodeJS.WritableStream;
}

function untilSignal(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      out.write(`covina: ${signal} received, shutting down\n`);
      done();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/**
 * `covina start`: connects to COVINA_REDIS_URL or starts an embedded persistent Redis under
 * ./data, prints where it is and how it is, then runs until SIGINT/SIGTERM.
 */
export async function start(options: StartOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  let server: RedisServerHandle | undefined;
  let url = options.redisUrl;
  if (!url) {
    server = await startRedis({ persistent: resolve(options.dataDir), logger: silentLogger });
    url = server.url;
    out.write(
      `covina: embedded redis-server ${server.binary.version} (${server.binary.source}), pid ${server.pid}, data in ${server.dir}\n`,
    );
  }
  const redis = createRedis({ url, healthCheckIntervalMs: 0 });
  try {
    const status = await getConnectionStatus(redis);
    if (!status.connected)
      throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${status.lastError?.message}`);
    out.write(`covina: redis at ${redactUrl(url)}\n`);
    out.write(`covina: ${formatHealthLine(status)}\n`);
    out.write('covina: ready (Ctrl-C to stop)\n');
    await untilSignal(out);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await server?.stop();
  }
  out.write('covina: stopped\n');
}
