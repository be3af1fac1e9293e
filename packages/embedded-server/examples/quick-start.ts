import { startCluster, startRedis } from '@covina/embedded-server';
import { Cluster, Redis } from 'ioredis';

// A real redis-server on a free port. Ephemeral: nothing is written to disk.
const server = await startRedis();
const redis = new Redis(server.url);
await redis.set('greeting', 'hello');
console.log(server.url, await redis.get('greeting')); // redis://127.0.0.1:41234 hello
redis.disconnect();
await server.stop();

// A local 3-master Redis Cluster, ready when every node reports cluster_state:ok.
const cluster = await startCluster({ masters: 3 });
const client = new Cluster(cluster.startupNodes);
await client.set('user:1', 'Ada');
console.log(await client.get('user:1')); // Ada
await client.quit();
await cluster.stop();
