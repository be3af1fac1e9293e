import {
  type ClusterNode,
  type RedisClusterHandle,
  type StartClusterOptions,
  silentLogger,
  startCluster,
} from '@covina/embedded-server';
import { Cluster, type ClusterOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { uniquePrefix } from './prefix.js';
import { deleteByPrefix } from './scan-delete.js';

export interface ClusterTestContext {
  /** The cluster's handle: kill, pause or restart a node through `cluster.nodes[i].server`. */
  readonly cluster: RedisClusterHandle;
  /** Every node (masters first) with `host`, `port`, `url`, `pid`, `id`, `role`. */
  readonly nodes: readonly ClusterNode[];
  /** This test's own key prefix; everything under `prefix:` is deleted on every master after it. */
  readonly prefix: string;
  /** `prefix:part:part…` */
  key(...parts: Array<string | number>): string;
  /** An ioredis Cluster client of this cluster, closed after the test. */
  client(options?: ClusterOptions): Cluster;
}

/** How long the after-test cleanup may take before it gives up (a test may have killed a node). */
const CLEANUP_TIMEOUT_MS = 5_000;

/**
 * Call at the top of a test file or `describe`: starts a local Redis Cluster (3 masters unless
 * told otherwise) in `beforeAll` and stops it in `afterAll`. Each test gets its own key prefix,
 * cleaned on every master afterwards, and `client()` for Cluster clients closed after the test.
 */
export function useCluster(options: StartClusterOptions = {}): ClusterTestContext {
  let cluster: RedisClusterHandle | undefined;
  let prefix = '';
  const clients: Cluster[] = [];
  const redisOptions = options.password ? { password: options.password } : {};

  beforeAll(async () => {
    cluster = await startCluster({ logger: silentLogger, ...options });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  beforeEach(() => {
    prefix = uniquePrefix();
  });

  afterEach(async () => {
    const open = clients.splice(0);
    if (cluster) {
      const admin = new Cluster(cluster.startupNodes, {
        redisOptions,
        lazyConnect: true,
        clusterRetryStrategy: () => null,
      });
      admin.on('error', () => {});
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, CLEANUP_TIMEOUT_MS);
      });
      await Promise.race([admin.connect().then(() => deleteByPrefix(admin, prefix)), timeout]).catch(
        () => {},
      );
      clearTimeout(timer);
      open.push(admin);
    }
    await Promise.all(open.map((c) => c.quit().catch(() => c.disconnect())));
  });

  const running = (): RedisClusterHandle => {
    if (!cluster) throw new Error('useCluster(): the cluster exists only inside tests and hooks');
    return cluster;
  };

  return {
    get cluster() {
      return running();
    },
    get nodes() {
      return running().nodes;
    },
    get prefix() {
      return prefix;
    },
    key: (...parts) => [prefix, ...parts].join(':'),
    client(clientOptions = {}) {
      const client = new Cluster(running().startupNodes, {
        ...clientOptions,
        redisOptions: { ...redisOptions, ...clientOptions.redisOptions },
      });
      clients.push(client);
      return client;
    },
  };
}
