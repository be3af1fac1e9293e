import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RedisOptionsError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { RedisServerHandle } from '../options.js';
import { command } from '../resp.js';
import { startRedis } from '../start-redis.js';
import { checkPositive, validateStartOptions } from '../validate.js';
import { formCluster } from './bootstrap.js';
import { readLayout, writeLayout } from './layout.js';
import type { ClusterNode, RedisClusterHandle, StartClusterOptions } from './options.js';

function checkCount(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RedisOptionsError(field, `expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
}

function describeNode(server: RedisServerHandle, id: string, role: ClusterNode['role']): ClusterNode {
  return {
    get host() {
      return server.host;
    },
    get port() {
      return server.port;
    },
    get url() {
      return server.url;
    },
    get pid() {
      return server.pid;
    },
    id,
    role,
    server,
  };
}

function announceHost(bind: string | undefined): string {
  return bind && bind !== '0.0.0.0' && bind !== '::' ? bind : '127.0.0.1';
}

/**
 * Starts a local Redis Cluster: `masters` cluster-enabled servers (plus replicas if asked), slots
 * spread evenly, and resolves once every node reports `cluster_state:ok`.
 *
 * ```ts
 * const cluster = await startCluster({ masters: 3 });
 * const client = new Cluster(cluster.startupNodes);
 * ```
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisClusterHandle> {
  const {
    masters = 3,
    replicasPerMaster = 0,
    persistent,
    nodeTimeoutMs = 5_000,
    readyTimeoutMs = 20_000,
    ...serverOptions
  } = options;
  checkCount('masters', masters, 1, 100);
  checkCount('replicasPerMaster', replicasPerMaster, 0, 5);
  checkPositive('nodeTimeoutMs', nodeTimeoutMs);
  checkPositive('readyTimeoutMs', readyTimeoutMs);
  validateStartOptions({ ...serverOptions, ...(persistent === undefined ? {} : { persistent }) });
  const logger = serverOptions.logger ?? defaultLogger();
  const deadline = Date.now() + readyTimeoutMs;
  const total = masters * (1 + replicasPerMaster);

  const dir = persistent === undefined ? undefined : resolve(persistent);
  if (dir) await mkdir(dir, { recursive: true });
  const layout = dir ? await readLayout(dir, masters, replicasPerMaster) : undefined;
  const clusterArgs = [
    ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
    ...['--cluster-node-timeout', String(nodeTimeoutMs)],
    // A lone node otherwise reports an empty host in CLUSTER SLOTS, which clients cannot follow.
    ...['--cluster-announce-ip', announceHost(serverOptions.bind)],
  ];
  const started = await Promise.allSettled(
    Array.from({ length: total }, (_, i) =>
      startRedis({
        ...serverOptions,
        logger,
        args: [...clusterArgs, ...(serverOptions.args ?? [])],
        ...(layout ? { port: layout.ports[i] } : {}),
        ...(dir ? { persistent: join(dir, `node-${i}`) } : {}),
      }),
    ),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = () => Promise.all(servers.map((s) => s.stop())).then(() => undefined);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }

  let nodes: ClusterNode[];
  try {
    if (dir && !layout)
      await writeLayout(dir, { masters, replicasPerMaster, ports: servers.map((s) => s.port) });
    const password = serverOptions.password;
    const endpoints = servers.map((s) => ({ host: s.host, port: s.port, ...(password ? { password } : {}) }));
    await formCluster(endpoints, masters, deadline);
    nodes = await Promise.all(
      servers.map(async (server, i) => {
        const endpoint = endpoints[i]!;
        const [id, role] = await Promise.all([
          command(endpoint, ['CLUSTER', 'MYID']),
          command(endpoint, ['ROLE']),
        ]);
        return describeNode(
          server,
          String(id),
          Array.isArray(role) && role[0] === 'master' ? 'master' : 'replica',
        );
      }),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  const sorted = [...nodes.filter((n) => n.role === 'master'), ...nodes.filter((n) => n.role === 'replica')];
  logger.info({ ports: sorted.map((n) => n.port), masters, replicasPerMaster, dir }, 'redis cluster ready');
  let stopping: Promise<void> | undefined;
  const handle: RedisClusterHandle = {
    nodes: sorted,
    masters: sorted.filter((n) => n.role === 'master'),
    replicas: sorted.filter((n) => n.role === 'replica'),
    get startupNodes() {
      return sorted.map((n) => ({ host: n.host, port: n.port }));
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
    [Symbol.asyncDispose]() {
      return handle.stop();
    },
  };
  return handle;
}
