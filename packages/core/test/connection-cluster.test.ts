import { useCluster } from '@covina/testkit';
import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRedis,
  defineLuaScript,
  getCircuitBreaker,
  getConnectionPool,
  getConnectionStatus,
  isAvailable,
  loadScripts,
  type RedisClient,
} from '../src/connection/index.js';
import { silentLogger } from './connection/capture-logger.js';
import addManySource from './scripts-fixtures/add-many-n.lua';

const transfer = defineLuaScript(
  'transfer',
  2,
  `--[[
  Moves an amount between two counters (both keys must share a hash slot).
  KEYS[1]  source counter
  KEYS[2]  target counter
  ARGV[1]  amount
  Returns: the target's new value
]]
redis.call('DECRBY', KEYS[1], ARGV[1])
return redis.call('INCRBY', KEYS[2], ARGV[1])
`,
);

describe('createRedis on a Redis Cluster', () => {
  const ctx = useCluster({ masters: 3 });
  const clients: RedisClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
  });

  const connect = () => {
    // As a deployment would: the seed nodes come from the environment.
    const nodes = ctx.cluster.startupNodes.map(({ host, port }) => `${host}:${port}`).join(',');
    const client = createRedis({ env: { COVINA_REDIS_CLUSTER_NODES: nodes }, logger: silentLogger });
    clients.push(client);
    return client;
  };

  it('returns a guarded Cluster client from COVINA_REDIS_CLUSTER_NODES', async () => {
    const redis = connect();
    expect(redis).toBeInstanceOf(Cluster);
    // Keys spread over every master's slots.
    const keys = Array.from({ length: 12 }, (_, i) => ctx.key('spread', i));
    await Promise.all(keys.map((key, i) => redis.set(key, String(i))));
    expect(await Promise.all(keys.map((key) => redis.get(key)))).toEqual(keys.map((_, i) => String(i)));
    expect(getCircuitBreaker(redis)?.state).toBe('closed');
    expect(isAvailable(redis)).toBe(true);

    const status = await getConnectionStatus(redis);
    expect(status).toMatchObject({ connected: true, mode: 'cluster', clusterMasters: 3 });
    expect(status.endpoint).toMatch(/^cluster redis:\/\//);
    expect(status.serverVersion).toMatch(/^\d+\./);
    expect(status.usedMemory).toBeGreaterThan(0);
  });

  it('runs scripts on keys sharing a hash slot, also after SCRIPT FLUSH on every master', async () => {
    const redis = connect() as Cluster;
    const scripts = loadScripts(redis, [transfer]);
    const from = ctx.key('{acct}', 'a');
    const to = ctx.key('{acct}', 'b');
    await redis.set(from, '10');
    expect(await scripts.run('transfer', [from, to], [3])).toBe(3);

    await Promise.all(redis.nodes('master').map((node) => node.script('FLUSH')));
    expect(await scripts.run('transfer', [from, to], [2])).toBe(5);
    expect(await redis.get(from)).toBe('5');

    const pipeline = redis.pipeline();
    scripts.queue(pipeline, 'transfer', [from, to], [1]);
    scripts.queue(pipeline, 'transfer', [from, to], [1]);
    expect((await pipeline.exec())?.map(([error, value]) => error ?? value)).toEqual([6, 7]);
  });

  it('routes a variadic script by its keys (one slot per call), on every master', async () => {
    const redis = connect() as Cluster;
    const scripts = loadScripts(redis, [defineLuaScript('addMany', 'variadic', addManySource)]);
    // Three batches under three hash tags: their slots spread over the masters.
    for (const tag of ['{a}', '{b}', '{c}']) {
      const keys = [ctx.key(tag, 'total'), ...[1, 2, 3].map((i) => ctx.key(tag, 'n', i))];
      expect(await scripts.run('addMany', keys, [2])).toEqual([6, 2, 2, 2]);
    }
    await Promise.all(redis.nodes('master').map((node) => node.script('FLUSH')));
    expect(await scripts.run('addMany', [ctx.key('{a}', 'total'), ctx.key('{a}', 'n', 1)], [1])).toEqual([
      7, 3,
    ]);
  });

  it('lends extra connections for blocking commands on a cluster', async () => {
    const redis = connect();
    const queue = ctx.key('{jobs}', 'queue');
    const popped = getConnectionPool(redis).use((conn) => conn.blpop(queue, 5));
    await redis.rpush(queue, 'job-1');
    expect(await popped).toEqual([queue, 'job-1']);
    expect(getConnectionPool(redis).stats()).toMatchObject({ created: 1, inUse: 0 });
  });
});
