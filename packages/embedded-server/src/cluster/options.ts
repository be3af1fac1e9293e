import type { RedisServerHandle, StartRedisOptions } from '../options.js';

export interface StartClusterOptions extends Omit<StartRedisOptions, 'port' | 'persistent'> {
  /**
   * Number of masters; the 16384 hash slots are split evenly between them.
   * @default 3
   */
  masters?: number;
  /**
   * Replicas per master (0 for none). Replicas make failover tests possible.
   * @default 0
   */
  replicasPerMaster?: number;
  /**
   * A data directory for the whole cluster (one `node-<n>` dir per node, AOF + RDB). The nodes'
   * ports are saved there too, so the cluster comes back as it was on the next start.
   * @default ephemeral
   */
  persistent?: string;
  /**
   * `cluster-node-timeout`: how long a node may be unreachable before it is considered failing.
   * @default 5_000
   */
  nodeTimeoutMs?: number;
  /**
   * How long to wait for every node to report `cluster_state:ok`.
   * @default 20_000
   */
  readyTimeoutMs?: number;
}

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
  /** `redis://[:password@]host:port` */
  readonly url: string;
  readonly pid: number;
  /** The node's cluster id (`CLUSTER MYID`). */
  readonly id: string;
  /** The role it was given at creation (a failover can change it later). */
  readonly role: 'master' | 'replica';
  /** The underlying server: kill, pause or restart it in fault tests. */
  readonly server: RedisServerHandle;
}

export interface RedisClusterHandle {
  /** Every node: masters first, then replicas. */
  readonly nodes: readonly ClusterNode[];
  readonly masters: readonly ClusterNode[];
  readonly replicas: readonly ClusterNode[];
  /** `[{ host, port }]` of every node: pass to `new Cluster(cluster.startupNodes)` (ioredis). */
  readonly startupNodes: Array<{ host: string; port: number }>;
  /** Stops every node (gracefully). Removes ephemeral dirs. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
