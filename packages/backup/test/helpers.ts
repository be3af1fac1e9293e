import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { afterEach } from 'vitest';
import type { KeyRow } from '../src/file/rows.js';
import type { SnapshotSink } from '../src/snapshot/types.js';

/** A temporary directory per test, removed afterwards. */
export function useTempDir(): { readonly path: string } {
  const dirs: string[] = [];
  let current = '';
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    get path() {
      if (!current || !dirs.includes(current)) throw new Error('call await tempDir() first');
      return current;
    },
    async create() {
      current = await mkdtemp(join(tmpdir(), 'covina-backup-'));
      dirs.push(current);
      return current;
    },
  } as { readonly path: string } & { create(): Promise<string> };
}

/** A sink keeping rows in memory (key text → row). */
export class MemorySink implements SnapshotSink {
  readonly rows = new Map<string, KeyRow>();
  putKey(row: KeyRow): void {
    this.rows.set(row.key.toString('latin1'), row);
  }
  deleteKey(key: Buffer): void {
    this.rows.delete(key.toString('latin1'));
  }
  clearScopes(scopes: readonly string[]): void {
    for (const [k, row] of this.rows) if (scopes.includes(row.scope)) this.rows.delete(k);
  }
}

/** Fills `prefix:` with one key of every type and encoding worth testing; returns the key names. */
export async function seedEveryType(redis: Redis, prefix: string): Promise<string[]> {
  const k = (name: string) => `${prefix}:${name}`;
  const batch = redis.pipeline();
  batch.set(k('s:int'), 12345);
  batch.set(k('s:short'), 'hi');
  batch.set(k('s:long'), `${'x'.repeat(5000)}${'abc'.repeat(100)}`);
  batch.set(k('s:ttl'), 'v', 'PX', 600_000);
  batch.hset(k('h:small'), 'a', '1', 'b', 'two', 'neg', '-4096', 'big', '9007199254740993');
  for (let i = 0; i < 600; i++) batch.hset(k('h:big'), `f${i}`, `${'v'.repeat(i % 50)}${i}`);
  batch.rpush(k('l:small'), 'a', 'b', 1, 2);
  for (let i = 0; i < 3000; i++) batch.rpush(k('l:big'), `item${i}`);
  batch.sadd(k('set:int'), 1, 2, 3);
  batch.sadd(k('set:lp'), 'a', 'b');
  for (let i = 0; i < 1000; i++) batch.sadd(k('set:big'), `m${i}`);
  batch.zadd(k('z:small'), 1, 'a', 2.5, 'b');
  for (let i = 0; i < 1000; i++) batch.zadd(k('z:big'), i / 3, `m${i}`);
  for (let i = 0; i < 300; i++) batch.xadd(k('st'), '*', 'f', i, 'g', 'x'.repeat(i % 10));
  await batch.exec();
  await redis.xgroup('CREATE', k('st'), 'g1', '0');
  await redis.xreadgroup('GROUP', 'g1', 'c1', 'COUNT', 5, 'STREAMS', k('st'), '>');
  const first = (await redis.xrange(k('st'), '-', '+', 'COUNT', 1))[0]![0];
  await redis.xdel(k('st'), first);
  return [
    's:int',
    's:short',
    's:long',
    's:ttl',
    'h:small',
    'h:big',
    'l:small',
    'l:big',
    'set:int',
    'set:lp',
    'set:big',
    'z:small',
    'z:big',
    'st',
  ].map(k);
}

/** A comparable, encoding-independent description of a key's value. */
export async function logicalValue(redis: Redis | Cluster, key: string): Promise<unknown> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return [type, await redis.get(key)];
    case 'hash':
      return [type, Object.entries(await redis.hgetall(key)).sort()];
    case 'list':
      return [type, await redis.lrange(key, 0, -1)];
    case 'set':
      return [type, (await redis.smembers(key)).sort()];
    case 'zset':
      return [type, await redis.zrange(key, 0, -1, 'WITHSCORES')];
    case 'stream': {
      const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
      const pending: unknown[] = [];
      for (const group of groups) {
        const name = String(group[1]);
        // [id, consumer, idle ms, deliveries]: idle time moves on its own, leave it out.
        const entries = (await redis.call('XPENDING', key, name, '-', '+', 1000)) as unknown[][];
        pending.push(
          name,
          entries.map((p) => [p[0], p[1], p[3]]),
        );
      }
      return [type, await redis.xrange(key, '-', '+'), groups, pending];
    }
    default:
      return [type];
  }
}
