import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { makeStore } from './pipeline/helpers.js';

describe('PipelineStore storage of payloads and results', () => {
  const ctx = useRedis();

  it.each(['deflate', 'gzip', 'brotli'] as const)(
    'stores large results compressed with %s, transparently',
    async (algorithm) => {
      const store = makeStore(ctx, { compression: { algorithm, thresholdBytes: 1024 } });
      const payload = { pages: Array.from({ length: 300 }, (_, i) => ({ n: i, text: 'lorem ipsum dolor' })) };
      const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload });
      const task = await store.getNextTask('w');
      expect(task?.payload).toEqual(payload);
      const result = { text: 'the quick brown fox '.repeat(2000), pages: 12 };
      await store.updateTaskStatus(id, 'completed', { leaseToken: task!.leaseToken, resultData: result });
      expect((await store.getTask(id))?.resultData).toEqual(result);

      const stored = await ctx.redis.hgetBuffer(store.keys.results, id);
      expect(stored).not.toBeNull();
      expect(stored!.length).toBeLessThan(JSON.stringify(result).length / 10);
      expect(String.fromCharCode(stored![0]!)).not.toBe('j');
      // Small values stay inline in the record: no extra field anywhere.
      const small = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload: { a: 1 } });
      expect(await ctx.redis.hexists(store.keys.payloads, small)).toBe(0);
    },
  );

  it('keeps unicode, numbers exactly as JSON gives them, and values that do not compress', async () => {
    const store = makeStore(ctx, { inlineBytes: 16 });
    const payload = {
      text: 'ünïcødé ✓ 漢字 \n line',
      big: 2 ** 60 + 0.5,
      tiny: 1e-300,
      list: [null, true, 1.5],
    };
    const id = await store.addTaskToBatch({ taskType: 't', workerType: 'w', payload });
    const task = await store.getNextTask('w');
    expect(task?.payload).toEqual(JSON.parse(JSON.stringify(payload)));
    const random = Buffer.from(Array.from({ length: 3000 }, () => Math.floor(Math.random() * 256))).toString(
      'base64',
    );
    await store.updateTaskStatus(id, 'completed', { leaseToken: task!.leaseToken, resultData: random });
    expect((await store.getTask(id))?.resultData).toBe(random);
  });

  it('stores times as strings of digits, and still reads and runs records whose times are numbers', async () => {
    const store = makeStore(ctx);
    const before = Date.now();
    const [id] = await store.addTasks([{ taskType: 't', workerType: 'w' }]);
    const raw = (await ctx.redis.hget(store.keys.tasks, id!))!;
    expect(raw).toMatch(/"c":"\d{13}"/);
    // A record written by an earlier version: every time a JSON number.
    await ctx.redis.hset(store.keys.tasks, id!, raw.replace(/"c":"(\d+)"/, '"c":$1'));
    const task = await store.claimTasks('w', 1);
    expect(task[0]!.createdAt).toBeGreaterThanOrEqual(before);
    expect(task[0]!.leaseExpiresAt).toBeGreaterThan(before);
    await store.updateTaskStatus(id!, 'completed', { leaseToken: task[0]!.leaseToken });
    const done = await store.getTask(id!);
    expect(done).toMatchObject({ status: 'completed', progress: 100, createdAt: task[0]!.createdAt });
    expect(typeof done!.finishedAt).toBe('number');
    expect(done!.finishedAt!).toBeGreaterThanOrEqual(done!.startedAt!);
  });

  it('lists tasks by status, worker type and file, page by page', async () => {
    const store = makeStore(ctx);
    const a = await store.addTasks(Array.from({ length: 25 }, () => ({ taskType: 't', workerType: 'a' })));
    const b = await store.addTasks(Array.from({ length: 5 }, () => ({ taskType: 't', workerType: 'b' })));
    const active = await store.claimTasks('a', 10);

    const collect = async (options: Parameters<typeof store.listTasks>[0]) => {
      const ids: string[] = [];
      let cursor: string | null | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await store.listTasks({ ...options, ...(cursor ? { cursor } : {}) });
        ids.push(...result.tasks.map((t) => t.id));
        cursor = result.cursor;
        if (!cursor) break;
      }
      return ids.sort();
    };
    expect(await collect({ status: 'active', limit: 3 })).toEqual(active.map((t) => t.id).sort());
    expect(await collect({ status: 'ready', workerType: 'a', limit: 4 })).toEqual(a.slice(10).sort());
    expect(await collect({ workerType: 'b', limit: 2 })).toEqual([...b].sort());
    expect(await collect({ limit: 7 })).toHaveLength(30);

    const stats = await store.getStats();
    expect(stats.byWorkerType.a).toMatchObject({ active: 10, ready: 15 });
    expect(stats.byWorkerType.b).toMatchObject({ ready: 5 });
    expect(stats).toMatchObject({ activeTasks: 10, tasks: { total: 30 } });
    expect(stats.redisMemoryBytes).toBeGreaterThan(0);
    const status = await store.getConnectionStatus();
    expect(status.connected).toBe(true);
  });
});
