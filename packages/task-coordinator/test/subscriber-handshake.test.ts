import { once } from 'node:events';
import { useFaultRedis, useRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ReleaseNotifier } from '../src/locks/release-notifier.js';
import { LivenessSubscription } from '../src/worker/liveness.js';
import { Opened, until } from './fixtures/harness.js';

// While a connection is in its handshake (status `connect`), ioredis writes SUBSCRIBE at once
// instead of queueing it: the handshake's INFO ready check then fails on a connection in
// subscriber mode ("ERR Can't execute 'info'…" / "Connection in subscriber mode…"), every
// pending command on it is rejected with that error, and the reconnection drops the
// subscription. These tests subscribe exactly in that window, through each part that keeps a
// subscriber connection of its own.

const ctx = useRedis();
const opened = new Opened();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await opened.close();
});

/** A client of its own whose `duplicate()`s are recorded, in order. */
function recordingClient(): { redis: Redis; duplicates: Redis[] } {
  const redis = ctx.client();
  const duplicates: Redis[] = [];
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const made = duplicate(...args);
    duplicates.push(made);
    return made;
  };
  return { redis, duplicates };
}

/** Resolves when `connection` is connected and its handshake has started, not finished. */
async function inHandshake(connection: Redis): Promise<void> {
  await once(connection, 'connect');
  expect(connection.status).toBe('connect');
}

async function subscribers(redis: Redis, channel: string): Promise<number> {
  const reply = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

describe('subscribing during the connection handshake', () => {
  it('store.watchWork: a worker type watched during the handshake fails nothing and gets its wake-ups', async () => {
    const { redis, duplicates } = recordingClient();
    const store = opened.store(redis, ctx.prefix);
    const first = store.watchWork(['ocr']);
    expect(duplicates).toHaveLength(1);
    await inHandshake(duplicates[0]!);
    const second = store.watchWork(['nlp']);
    await Promise.all([first, second]);
    expect(duplicates[0]!.status).toBe('ready');

    const woken = store.waitForWork('nlp', { timeoutMs: 20_000 });
    await store.addTaskToBatch({ taskType: 'nlp', workerType: 'nlp' });
    expect(await woken).toBe(true);
  });

  it('ReleaseNotifier: a channel watched during the handshake is subscribed, and the earlier one too', async () => {
    const { redis, duplicates } = recordingClient();
    const errors: unknown[] = [];
    const notifier = new ReleaseNotifier(redis, (error) => errors.push(error));
    closers.push(() => notifier.close());
    const a = notifier.watch(ctx.key('release', 'a'));
    expect(duplicates).toHaveLength(1);
    await inHandshake(duplicates[0]!);
    const b = notifier.watch(ctx.key('release', 'b'));
    expect(await Promise.all([a.ready, b.ready])).toEqual([true, true]);
    expect(errors).toEqual([]);

    const since = b.generation();
    const released = b.wait(since, 20_000);
    await ctx.redis.publish(ctx.key('release', 'b'), '1');
    await released;
    expect(b.generation()).toBe(since + 1);
    expect(await subscribers(ctx.redis, ctx.key('release', 'a'))).toBe(1);
    a.close();
    b.close();
  });

  it('LivenessSubscription: announced during the handshake, the subscription outlives it', async () => {
    const { redis, duplicates } = recordingClient();
    const liveness = new LivenessSubscription(redis);
    closers.push(() => liveness.close());
    expect(duplicates).toHaveLength(1);
    const connection = duplicates[0]!;
    await inHandshake(connection);
    const channel = ctx.key('worker-alive', 'w-1');
    await liveness.announce(channel);
    // A failed ready check would reconnect (and drop the subscription) after this point.
    await until(() => (connection.status === 'ready' ? true : undefined));
    expect(await subscribers(ctx.redis, channel)).toBe(1);
  });
});

describe('a subscription that failed', () => {
  const fault = useFaultRedis();

  it('store.watchWork subscribes again on the next call (the failure is not remembered)', async () => {
    const redis = new Redis(fault.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => {});
    closers.push(async () => redis.disconnect());
    const store = opened.store(redis, 'handshake');
    await redis.ping();
    await fault.kill();
    await expect(store.watchWork(['ocr'])).rejects.toThrow();

    await fault.restart();
    await store.watchWork(['ocr']);
    await until(() => (redis.status === 'ready' ? true : undefined));
    const woken = store.waitForWork('ocr', { timeoutMs: 20_000 });
    await store.addTaskToBatch({ taskType: 'ocr', workerType: 'ocr' });
    expect(await woken).toBe(true);
  });
});
