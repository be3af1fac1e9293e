import { useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, defineLuaScript, loadScripts, type RedisClient } from '../src/connection/index.js';
import { eventually, silentLogger } from './connection/capture-logger.js';
import addManySource from './scripts-fixtures/add-many-n.lua';

const echo = defineLuaScript(
  'echo',
  1,
  `--[[
  KEYS[1]  a key to remember the value under
  ARGV[1]  the value
  Returns: the value
]]
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`,
);

describe('loadScripts across a server restart', () => {
  const fault = useFaultRedis();
  const clients: RedisClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('runs again after the server restarts with an empty script cache', async () => {
    const redis = new Redis(fault.url, { maxRetriesPerRequest: 20, retryStrategy: () => 50 });
    clients.push(redis);
    const scripts = loadScripts(redis, [echo]);
    expect(await scripts.run('echo', ['k'], ['before'])).toBe('before');

    await fault.kill();
    await fault.restart();
    expect(await scripts.run('echo', ['k'], ['after'])).toBe('after');
    expect(await redis.get('k')).toBe('after');
  });

  it('a createRedis client (breaker, timeouts) runs fixed and variadic scripts again after a restart', async () => {
    const redis = createRedis({
      url: fault.url,
      reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 100 },
      healthCheckIntervalMs: 0,
      logger: silentLogger,
    });
    clients.push(redis);
    const scripts = loadScripts(redis, [echo, defineLuaScript('addMany', 'variadic', addManySource)]);
    expect(await scripts.run('echo', ['k'], ['before'])).toBe('before');
    expect(await scripts.run('addMany', ['total', 'a', 'b'], [1])).toEqual([2, 1, 1]);

    await fault.kill();
    await fault.restart();
    // Calls fail fast while the client reconnects (and the breaker probes), then succeed.
    await eventually(async () => (await scripts.run('echo', ['k'], ['after']).catch(() => null)) === 'after');
    expect(await scripts.run('addMany', ['total', 'a', 'b', 'c'], [2])).toEqual([6, 2, 2, 2]);
    const pipeline = redis.pipeline();
    scripts.queue(pipeline, 'echo', ['k'], ['piped']);
    expect((await pipeline.exec())?.[0]).toEqual([null, 'piped']);
  });
});
