import type { Cluster, Redis } from 'ioredis';
import { getConnectionPool } from '../../connection/connection-pool.js';
import { subscribeChannels } from '../../connection/subscribe.js';
import { ValidationError } from '../errors.js';
import type { PipelineEvent, StreamEvent } from '../types.js';
import { checkInt, checkObject, checkText } from '../validate.js';
import type { StoreCore } from './core.js';

export type PipelineEventListener = (event: PipelineEvent) => void;

export interface SubscribeOptions {
  /**
   * Receive the events of every pipeline sharing the key prefix, not only this one.
   * @default false
   */
  allPipelines?: boolean;
}

/** A live subscription to `job_updates`; `close()` ends it and its connection. */
export interface EventSubscription {
  close(): Promise<void>;
}

/**
 * Calls `listener` for each event published from now on (pub/sub: events published while the
 * connection is down are missed; read the stream with `readEvents` when none may be missed).
 * Uses a connection of its own.
 */
export async function subscribeEvents(
  core: StoreCore,
  listener: PipelineEventListener,
  options: SubscribeOptions = {},
): Promise<EventSubscription> {
  if (typeof listener !== 'function') throw new ValidationError('listener', 'must be a function');
  const all = checkObject<SubscribeOptions>('options', options).allPipelines === true;
  const subscriber: Redis | Cluster = core.redis.duplicate();
  const channel = core.keys.updatesChannel;
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let event: PipelineEvent;
    try {
      event = JSON.parse(message) as PipelineEvent;
    } catch {
      return;
    }
    if (all || event.pipeline === core.options.pipeline) listener(event);
  });
  // A subscriber connection only errors when it is closing or reconnecting; ioredis resubscribes.
  subscriber.on('error', () => {});
  await subscribeChannels(subscriber, [channel]);
  return {
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

export interface ReadEventsOptions {
  /** Stream id to read after (`StreamEvent.streamId`); `'0'` = from the oldest kept. @default '0' */
  after?: string;
  /** Most events returned. @default 100 */
  count?: number;
  /** Wait up to this long for an event when none is there (on a pooled connection). @default 0 */
  blockMs?: number;
}

function toStreamEvents(reply: unknown): StreamEvent[] {
  const streams = (reply ?? []) as Array<[string, Array<[string, string[]]>]>;
  const events: StreamEvent[] = [];
  for (const [, entries] of streams) {
    for (const [streamId, fields] of entries) {
      const json = fields[fields.indexOf('event') + 1];
      if (json !== undefined) events.push({ ...(JSON.parse(json) as PipelineEvent), streamId });
    }
  }
  return events;
}

/** Events from the capped stream, in order, after a stream id: for consumers that must not miss any. */
export async function readEvents(core: StoreCore, options: ReadEventsOptions = {}): Promise<StreamEvent[]> {
  const opts = checkObject<ReadEventsOptions>('options', options);
  const after = opts.after === undefined ? '0' : checkText('options.after', opts.after, { max: 50 });
  if (!/^\d+(-\d+)?$/.test(after))
    throw new ValidationError('options.after', 'must be a stream id like 1700000000000-0');
  const count = opts.count === undefined ? 100 : checkInt('options.count', opts.count, 1, 100_000);
  const blockMs = opts.blockMs === undefined ? 0 : checkInt('options.blockMs', opts.blockMs, 0, 3_600_000);
  const key = core.keys.events;
  if (blockMs === 0) {
    return toStreamEvents(await core.redis.xread('COUNT', count, 'STREAMS', key, after));
  }
  return getConnectionPool(core.redis).use(async (connection) =>
    toStreamEvents(await connection.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, after)),
  );
}
