import { createKeyRegistry } from '@covina/cache-keys';
import { subscribeChannels, unsubscribeChannels } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';
import type { WorkerRecord } from '../registry/worker-record.js';

/** Templates the Worker runner adds to the key registry. */
export const workerTemplates = {
  /** Pub/sub channel a running worker stays subscribed to: no subscriber means its process is gone. */
  workerLiveness: '{{namespace}}:worker-alive:{workerId}',
} as const;

/** The liveness channel of a worker, under the given key prefix. */
export function livenessChannel(prefix: string, namespace: string, workerId: string): string {
  return createKeyRegistry({ prefix, templates: workerTemplates }).format('workerLiveness', {
    namespace,
    workerId,
  });
}

export function isCluster(redis: Redis | Cluster): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/**
 * A connection of its own, subscribed to this worker's liveness channel for as long as the
 * worker runs. When the process dies, even by `kill -9`, the kernel closes the socket and the
 * server drops the subscription at once: others read that with `PUBSUB NUMSUB`.
 */
export class LivenessSubscription {
  readonly #connection: Redis;
  #channel: string | undefined;

  constructor(redis: Redis) {
    this.#connection = redis.duplicate({ connectionName: 'covina-worker-liveness', lazyConnect: false });
    // Errors show up as a missing subscription; ioredis reconnects and resubscribes by itself.
    this.#connection.on('error', () => {});
  }

  /** Subscribes to `channel` (and leaves the previous one). */
  async announce(channel: string): Promise<void> {
    const previous = this.#channel;
    this.#channel = channel;
    await subscribeChannels(this.#connection, [channel]);
    if (previous !== undefined && previous !== channel)
      await unsubscribeChannels(this.#connection, [previous]);
  }

  async close(): Promise<void> {
    await this.#connection.quit().catch(() => this.#connection.disconnect());
  }
}

/** Minimum silence before a worker without a connection counts as gone, in heartbeat periods. */
const SILENT_PERIODS = 1.5;

/**
 * Workers that look alive to the registry but are gone: they missed a heartbeat and nothing is
 * subscribed to their liveness channel any more. One `PUBSUB NUMSUB` round trip.
 */
export async function findVanishedWorkers(
  redis: Redis,
  workers: readonly WorkerRecord[],
): Promise<WorkerRecord[]> {
  const suspects = workers.filter(
    (w) =>
      w.state === 'alive' &&
      typeof w.meta.liveness === 'string' &&
      w.heartbeatMs > 0 &&
      w.lastHeartbeatAgeMs > w.heartbeatMs * SILENT_PERIODS,
  );
  if (suspects.length === 0) return [];
  const reply = (await redis.call(
    'PUBSUB',
    'NUMSUB',
    ...suspects.map((w) => w.meta.liveness as string),
  )) as Array<string | number>;
  return suspects.filter((_, i) => Number(reply[2 * i + 1]) === 0);
}
