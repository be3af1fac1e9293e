import { type RedisServerHandle, startRedis } from '@covina/embedded-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, getConnectionStatus, type RedisClient } from '../src/connection/index.js';
import { captureLogger, eventually } from './connection/capture-logger.js';
import { type SentinelHandle, startSentinel } from './connection/sentinel.js';

const quiet = { info() {}, warn() {} };

/** The port of the server a client's connection is on (`INFO server`). */
async function serverPort(client: RedisClient): Promise<number> {
  const info = await client.info('server');
  return Number(/^tcp_port:(\d+)/m.exec(info)?.[1]);
}

describe('createRedis through Redis Sentinel (options.sentinels)', () => {
  let master: RedisServerHandle;
  let replica: RedisServerHandle;
  let sentinel: SentinelHandle;
  let admin: Redis;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    // Replicas sync at once (Redis 7 waits 5 s for more replicas before a diskless sync).
    master = await startRedis({ logger: quiet, args: ['--repl-diskless-sync-delay', '0'] });
    replica = await startRedis({ logger: quiet, args: ['--replicaof', master.host, String(master.port)] });
    // In sync before the sentinel first looks (it looks again only every 10 s).
    const probe = new Redis({ host: replica.host, port: replica.port });
    try {
      await eventually(async () => (await probe.info('replication')).includes('master_link_status:up'));
    } finally {
      probe.disconnect();
    }
    sentinel = await startSentinel(master);
    admin = new Redis({ host: sentinel.host, port: sentinel.port });
    // The sentinel must see the replica in sync before it can fail over to it.
    await eventually(async () => {
      const replicas = (await admin.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      return replicas.some((fields) => {
        const info = new Map(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]])));
        return (
          info.get('port') === String(replica.port) &&
          info.get('flags') === 'slave' &&
          info.get('master-link-status') === 'ok'
        );
      });
    }, 20_000);
  }, 40_000);

  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    admin?.disconnect();
    await Promise.all([sentinel?.stop(), replica?.stop(), master?.stop()]);
  });

  it('asks the sentinel for the master, and follows a failover to the promoted replica', async () => {
    const logger = captureLogger();
    const redis = createRedis({
      sentinels: [{ host: sentinel.host, port: sentinel.port }],
      sentinelName: 'mymaster',
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
      healthCheckIntervalMs: 0,
      logger,
    });
    clients.push(redis);
    expect(await redis.set('k', 'before')).toBe('OK');
    expect(await serverPort(redis)).toBe(master.port);
    const status = await getConnectionStatus(redis);
    expect(status).toMatchObject({ connected: true, mode: 'sentinel' });
    expect(status.endpoint).toBe(`sentinel redis://mymaster@${sentinel.host}:${sentinel.port}/0`);

    // The replica has the write; then the sentinel promotes it.
    const onReplica = new Redis({ host: replica.host, port: replica.port });
    try {
      await eventually(async () => (await onReplica.get('k')) === 'before');
    } finally {
      onReplica.disconnect();
    }
    // NOGOODSLAVE until the sentinel's next look at the replica: ask again.
    await eventually(
      async () => (await admin.call('SENTINEL', 'FAILOVER', 'mymaster').catch(() => '')) === 'OK',
    );

    // Writes go to the new master once the client has followed (READONLY or +switch-master).
    await eventually(async () => {
      await redis.set('k', 'after').catch(() => undefined);
      return (await serverPort(redis).catch(() => 0)) === replica.port;
    }, 20_000);
    expect(await redis.get('k')).toBe('after');
    expect((await redis.info('replication')).includes('role:master')).toBe(true);
    expect((await getConnectionStatus(redis)).reconnectCount).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
