import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import type { ScopeDefinition } from '../src/file/rows.js';
import { decodeHash } from '../src/rdb/decode-value.js';
import { takeSnapshot } from '../src/snapshot/take-snapshot.js';
import type { SnapshotContext } from '../src/snapshot/types.js';
import { logicalValue, MemorySink, seedEveryType } from './helpers.js';

const tracked = { batchSize: 200, maxRounds: 20, pauseWrites: true, maxPauseMs: 2000, pauseBelowKeys: 500 };
const replication = { idleTimeoutMs: 30_000 };

describe.each(['replication', 'tracked'] as const)('%s snapshot', (method) => {
  const ctx = useRedis();

  function context(sink: MemorySink, prefix = `${ctx.prefix}:`): SnapshotContext {
    const scope: ScopeDefinition = { name: `prefix:${prefix}`, kind: 'prefix', pipeline: null, prefix };
    return { redis: ctx.redis, scopes: [scope], sink, keyTypeOf: () => null };
  }

  it('captures every type and encoding so that RESTORE recreates equal values', async () => {
    const keys = await seedEveryType(ctx.redis, ctx.prefix);
    await ctx.redis.set(`${ctx.prefix}x:outside`, 'not in scope');
    const sink = new MemorySink();
    const result = await takeSnapshot(context(sink), { method, replication, tracked });

    expect(result.nodes[0]?.method).toBe(method);
    expect([...sink.rows.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const row = sink.rows.get(key)!;
      const copy = `${ctx.prefix}:copy:${key}`;
      const ttlArgs = row.expireAt === null ? [0] : [row.expireAt, 'ABSTTL'];
      await ctx.redis.call('RESTORE', copy, ttlArgs[0]!, row.payload, 'REPLACE', ...ttlArgs.slice(1));
      expect(await logicalValue(ctx.redis, copy), key).toEqual(await logicalValue(ctx.redis, key));
    }
    const ttl = sink.rows.get(`${ctx.prefix}:s:ttl`)!;
    expect(ttl.expireAt).toBeGreaterThan(Date.now() + 500_000);
    expect(await ctx.redis.pttl(`${ctx.prefix}:copy:${ctx.prefix}:s:ttl`)).toBeGreaterThan(500_000);
    expect(sink.rows.get(`${ctx.prefix}:s:int`)?.expireAt).toBeNull();
  });

  it('decodes hash payloads in both encodings', async () => {
    await seedEveryType(ctx.redis, ctx.prefix);
    const sink = new MemorySink();
    await takeSnapshot(context(sink), { method, replication, tracked });
    for (const name of ['h:small', 'h:big']) {
      const key = `${ctx.prefix}:${name}`;
      const decoded = decodeHash(sink.rows.get(key)!.payload);
      const expected = await ctx.redis.hgetall(key);
      expect(Object.fromEntries([...decoded].map(([f, v]) => [f, v.toString()]))).toEqual(expected);
    }
  });

  it('leaves out keys already expired and keys of other databases', async () => {
    await ctx.redis.set(`${ctx.prefix}:gone`, 'x', 'PX', 1);
    await ctx.redis.set(`${ctx.prefix}:kept`, 'x');
    const other = ctx.client({ db: 3 });
    await other.set(`${ctx.prefix}:db3`, 'x');
    try {
      await new Promise((r) => setTimeout(r, 5));
      const sink = new MemorySink();
      await takeSnapshot(context(sink), { method, replication, tracked });
      expect([...sink.rows.keys()]).toEqual([`${ctx.prefix}:kept`]);
    } finally {
      await other.del(`${ctx.prefix}:db3`);
    }
  });
});
