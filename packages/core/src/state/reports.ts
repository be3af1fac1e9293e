/** Options of `StateStore.memoryUsage()`. */
export interface StateMemoryUsageOptions {
  /**
   * Keys measured with MEMORY USAGE (spread evenly over the namespace); with more keys than
   * this the total is extrapolated from their mean. `Infinity` measures every key.
   * @default 1000
   */
  sampleSize?: number;
  /** Stops the scan with `StateAbortedError`. */
  signal?: AbortSignal;
}

/** Redis memory taken by one namespace, from `StateStore.memoryUsage()`. */
export interface StateMemoryUsage {
  /** Keys in the namespace. */
  keys: number;
  /** Keys measured. */
  sampledKeys: number;
  /** Bytes of the namespace (measured, or extrapolated when `exact` is false). */
  bytes: number;
  /** Mean bytes per key (key, value and Redis overhead). */
  avgBytesPerKey: number;
  /** True when every key was measured. */
  exact: boolean;
}

/** One server's answer to `StateStore.healthCheck()`. */
export interface StateNodeHealth {
  /** `host:port` */
  address: string;
  healthy: boolean;
  /** PING round trip, in milliseconds (time waited when it failed). */
  latencyMs: number;
  /** Why it is unhealthy. */
  error?: string;
}

/** Result of `StateStore.healthCheck()`; never throws. */
export interface StateHealth {
  /** True when every server answered PING in time. */
  healthy: boolean;
  /** `standalone` or `cluster`. */
  mode: 'standalone' | 'cluster';
  /** Slowest PING round trip, in milliseconds. */
  latencyMs: number;
  /** One entry per server (each master of a Cluster). */
  nodes: StateNodeHealth[];
  /** Why it is unhealthy (e.g. the cluster's masters could not be listed). */
  error?: string;
}
