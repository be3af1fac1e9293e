import { type SentinelGroup, startSentinelGroup } from '@covina/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, getConnectionStatus, type RedisClient } from '../src/connection/index.js';
import { captureLogger, eventually } from './connection/capture-logger.js';

/** The port of the server a client's connection is on (`INFO server`). */
async function serverPort(client: RedisClient): Promise<number> {
  const info = await client.info('server');
  return Number(/^tcp_port:(\d+)/m.exec(info)?.[1]);
}

describe('createRedis through Redis Sentinel (options.sentinels)', () => {
  let group: SentinelGroup;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    group = await startSentinelGroup();
  }, 40_000);

  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await group?.stop();
  });

  it('asks the sentinel for the master, and follows a failover to the promoted replica', async () => {
    const logger = captureLogger();
    const [sentinel] = group.sentinels;
    const redis = createRedis({
      sentinels: [...group.sentinels],
      sentinelName: group.name,
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
      healthCheckIntervalMs: 0,
      logger,
    });
    clients.push(redis);
    expect(await redis.set('k', 'before')).toBe('OK');
    expect(await serverPort(redis)).toBe(group.master.port);
    const status = await getConnectionStatus(redis);
    expect(status).toMatchObject({ connected: true, mode: 'sentinel' });
    expect(status.endpoint).toBe(`sentinel redis://${group.name}@${sentinel?.host}:${sentinel?.port}/0`);

    // The replica has the write; then the sentinel promotes it.
    const onReplica = createRedis({ url: group.replica.url, healthCheckIntervalMs: 0, logger });
    clients.push(onReplica);
    await eventually(async () => (await onReplica.get('k')) === 'before');
    await group.failover();

    // Writes go to the new master once the client has followed (READONLY or +switch-master).
    await eventually(async () => {
      await redis.set('k', 'after').catch(() => undefined);
      return (await serverPort(redis).catch(() => 0)) === group.replica.port;
    }, 20_000);
    expect(await redis.get('k')).toBe('after');
    expect((await redis.info('replication')).includes('role:master')).toBe(true);
    expect((await getConnectionStatus(redis)).reconnectCount).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
