export { type BinarySource, type ResolvedBinary, resolveBinary } from './binary.js';
export type { ClusterNode, RedisClusterHandle, StartClusterOptions } from './cluster/options.js';
export { startCluster } from './cluster/start-cluster.js';
export {
  EmbeddedRedisError,
  errors,
  RedisBinaryNotFoundError,
  RedisClusterError,
  RedisDataDirInUseError,
  RedisOptionsError,
  RedisStartError,
} from './errors.js';
export { defaultLogger, type Logger, silentLogger } from './logger.js';
export type { MaxmemoryPolicy, RedisServerHandle, StartRedisOptions } from './options.js';
export { freePort } from './ports.js';
export { ping } from './probe.js';
export { startRedis } from './start-redis.js';
