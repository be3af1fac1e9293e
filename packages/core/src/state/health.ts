import type { Redis } from 'ioredis';
import type { StateHealth, StateNodeHealth } from './reports.js';
import { isCluster, masterNodes, type RedisClient } from './topology.js';
import { messageOf } from './validate.js';

/** PINGs every server (each Cluster master) within `timeoutMs`; never throws. */
export async function checkHealth(redis: RedisClient, timeoutMs: number): Promise<StateHealth> {
  const mode = isCluster(redis) ? 'cluster' : 'standalone';
  let nodes: Redis[];
  try {
    nodes = await withTimeout(masterNodes(redis), timeoutMs);
  } catch (error) {
    return { healthy: false, mode, latencyMs: timeoutMs, nodes: [], error: messageOf(error) };
  }
  const results = await Promise.all(nodes.map((node) => pingNode(node, timeoutMs)));
  return {
    healthy: results.length > 0 && results.every((n) => n.healthy),
    mode,
    latencyMs: Math.max(0, ...results.map((n) => n.latencyMs)),
    nodes: results,
  };
}

async function pingNode(node: Redis, timeoutMs: number): Promise<StateNodeHealth> {
  const address = `${node.options.host ?? 'localhost'}:${node.options.port ?? 6379}`;
  const started = performance.now();
  try {
    await withTimeout(node.ping(), timeoutMs);
    return { address, healthy: true, latencyMs: performance.now() - started };
  } catch (error) {
    return { address, healthy: false, latencyMs: performance.now() - started, error: messageOf(error) };
  }
}

/** Settles like `promise`, or rejects after `ms` (the promise itself keeps running). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
