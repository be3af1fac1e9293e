import { createRedis } from '@covina/core';
import { type SentinelGroup, startSentinelGroup, uniquePrefix } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerRegistry } from '../src/index.js';
import { runTasksAfterFailover, startEchoWorkers } from './fixtures/failover.js';
import { Opened, until } from './fixtures/harness.js';

/** The port of the server a client is connected to (0 while it cannot answer). */
async function serverPort(redis: Redis): Promise<number> {
  const info = await redis.info('server').catch(() => '');
  return Number(/^tcp_port:(\d+)/m.exec(info)?.[1] ?? 0);
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('Worker across a Sentinel failover', () => {
  let group: SentinelGroup;
  const opened = new Opened();
  const clients: Redis[] = [];

  beforeAll(async () => {
    group = await startSentinelGroup();
  }, 40_000);

  afterAll(async () => {
    await opened.close();
    for (const c of clients.splice(0)) c.disconnect();
    await group?.stop();
  });

  /** A client that finds the master through the sentinel, as a deployment would. */
  const client = () => {
    const redis = createRedis({
      sentinels: [...group.sentinels],
      sentinelName: group.name,
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
      healthCheckIntervalMs: 0,
      logger: silent,
    }) as Redis;
    clients.push(redis);
    return redis;
  };

  it('follows the promoted replica and goes on running tasks, without a restart', async () => {
    const prefix = uniquePrefix();
    const admin = opened.store(client(), prefix);
    const workers = await startEchoWorkers(opened, () => opened.store(client(), prefix));

    const before = await admin.addTasks(
      Array.from({ length: 100 }, (_, i) => ({ taskType: 't', workerType: 'w', payload: i })),
    );
    await until(async () => ((await admin.getStats()).tasks.completed === 100 ? true : undefined));

    await group.failover();

    // Tasks added once the client follows the new master: the same workers must run them all.
    await until(
      async () => ((await serverPort(admin.redis as Redis)) === group.replica.port ? true : undefined),
      20_000,
      'the client on the new master',
    );
    const done = await runTasksAfterFailover(admin);
    expect(done.map((t) => t.resultData)).toEqual(done.map((_, i) => 100 + i));
    expect(workers.every((w) => w.isRunning)).toBe(true);
    // Completed before the failover, replicated, so still completed on the promoted replica.
    expect((await admin.getTasks(before)).every((t) => t.status === 'completed')).toBe(true);
    expect(await serverPort(admin.redis as Redis)).toBe(group.replica.port);

    // Both workers are registered and alive on the new master (re-registered if need be).
    const registry = createWorkerRegistry({ redis: client(), prefix, namespace: 'docs' });
    const alive = await until(async () => {
      const list = (await registry.listWorkers()).filter((w) => w.state === 'alive');
      return list.length === 2 ? list : undefined;
    });
    expect(alive.map((w) => w.id).sort()).toEqual(workers.map((w) => w.id).sort());
    await registry.close();
  }, 60_000);
});
