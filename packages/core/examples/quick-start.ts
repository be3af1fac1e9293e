import { createRedis, defineLuaScript, getConnectionStatus, loadScripts } from '@covina/core';

// Reads COVINA_REDIS_URL (redis:// or rediss://), else COVINA_REDIS_HOST / _PORT / _PASSWORD,
// or COVINA_REDIS_CLUSTER_NODES for a Redis Cluster. Options given here win over the environment.
const redis = createRedis({ connectionName: 'quick-start' });

// A Lua script documents its KEYS, ARGV and return value in a header; it runs through EVALSHA.
const greet = defineLuaScript(
  'greet',
  0,
  `--[[
  KEYS: none
  ARGV[1]  a name
  Returns: a greeting
]]
return 'hello ' .. ARGV[1]`,
);
const scripts = loadScripts(redis, [greet]);
console.log(await scripts.run('greet', [], ['covina'])); // hello covina

const status = await getConnectionStatus(redis);
console.log(status.mode, status.connected, status.circuit?.state); // standalone true closed

await redis.quit();
