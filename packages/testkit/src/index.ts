export { uniquePrefix } from './prefix.js';
export { PROVIDE_KEY, type ProvidedRedisUrls } from './provided.js';
export { assertReadmeEmbeds, type RunReadmeExampleOptions, runReadmeExample } from './readme-example.js';
export { deleteByPrefix } from './scan-delete.js';
export { type SentinelGroup, startSentinelGroup } from './sentinel-group.js';
export { type ClusterTestContext, useCluster } from './use-cluster.js';
export { type FaultRedisContext, type FaultRedisOptions, useFaultRedis } from './use-fault-redis.js';
export { type RedisTestContext, useRedis } from './use-redis.js';
export { workerRedisUrl } from './worker-server.js';
