import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import {
  StatePayloadTooLargeError,
  StateStore,
  type StateStoreOptions,
  StateValidationError,
} from '../src/state/index.js';

const ctx = useRedis();

function store(namespace = 'ns', options: Partial<StateStoreOptions> = {}): StateStore {
  return new StateStore({ redis: ctx.redis, namespace, prefix: ctx.prefix, ...options });
}

describe('StateStore single-key operations', () => {
  it('puts, gets, checks and deletes', async () => {
    const s = store();
    expect(await s.get('a')).toBeNull();
    expect(await s.contains('a')).toBe(false);
    await s.put('a', 'hello');
    expect((await s.get('a'))?.toString()).toBe('hello');
    expect(await s.contains('a')).toBe(true);
    expect(await s.delete('a')).toBe(true);
    expect(await s.delete('a')).toBe(false);
    expect(await s.get('a')).toBeNull();
  });

  it('stores under the registered template, with the key percent-encoded', async () => {
    await store('sessions').put('user:42 x', 'v');
    expect(await ctx.redis.get(`${ctx.prefix}:state:sessions:user%3A42%20x`)).toBe('v');
  });

  it('round-trips arbitrary bytes exactly', async () => {
    const s = store();
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const invalidUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    const u8 = new Uint8Array(new ArrayBuffer(16), 4, 8).fill(0x80);
    await s.put('all', all);
    await s.put('bad-utf8', invalidUtf8);
    await s.put('u8', u8);
    await s.put('empty', Buffer.alloc(0));
    await s.put('text', 'żółw 🐢');
    expect((await s.get('all'))?.equals(all)).toBe(true);
    expect((await s.get('bad-utf8'))?.equals(invalidUtf8)).toBe(true);
    expect((await s.get('u8'))?.equals(Buffer.from(u8))).toBe(true);
    expect((await s.get('empty'))?.byteLength).toBe(0);
    expect((await s.get('text'))?.toString('utf8')).toBe('żółw 🐢');
  });

  it('accepts any well-formed key, including glob characters and separators', async () => {
    const s = store();
    const keys = ['a:b/c', '{tag}', '*', 'a?b', '[x]', 'back\\slash', '100%', ' spaced key ', '🐢', 'ünï'];
    for (const [i, key] of keys.entries()) await s.put(key, String(i));
    for (const [i, key] of keys.entries()) expect((await s.get(key))?.toString()).toBe(String(i));
    expect(await s.listKeys()).toEqual([...keys].sort());
  });

  it('putWithTtl sets a TTL, put clears it, ttl reports null / Infinity / ms', async () => {
    const s = store();
    expect(await s.ttl('k')).toBeNull();
    await s.putWithTtl('k', 'v', 60_000);
    const ms = await s.ttl('k');
    expect(ms).toBeGreaterThan(59_000);
    expect(ms).toBeLessThanOrEqual(60_000);
    await s.put('k', 'v2');
    expect(await s.ttl('k')).toBe(Number.POSITIVE_INFINITY);
  });

  it('entries written with a TTL disappear when it passes, not before', async () => {
    const s = store();
    const written = Date.now();
    await s.batchPut([['b1', '1']], { ttlMs: 300 });
    await s.putWithTtl('short', 'v', 300);
    const present = await s.batchGet(['short', 'b1']);
    // Under heavy load the reads may come late; only then is a missing value excused.
    if (Date.now() - written < 250) expect(present.map(String)).toEqual(['v', '1']);
    const deadline = Date.now() + 5_000;
    while ((await s.count()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(Date.now() - written).toBeGreaterThanOrEqual(290);
    expect(await s.batchGet(['short', 'b1'])).toEqual([null, null]);
  });

  it('applies defaultTtlMs to put, batchPut and setIfNotExists', async () => {
    const s = store('ns', { defaultTtlMs: 30_000 });
    await s.put('p', 'v');
    await s.batchPut({ b: 'v' });
    await s.setIfNotExists('n', 'v');
    for (const key of ['p', 'b', 'n']) {
      const ms = await s.ttl(key);
      expect(ms).toBeGreaterThan(29_000);
      expect(ms).toBeLessThanOrEqual(30_000);
    }
  });

  it('setIfNotExists writes once, with its TTL', async () => {
    const s = store();
    expect(await s.setIfNotExists('lock', 'first', 10_000)).toBe(true);
    expect(await s.setIfNotExists('lock', 'second', 10_000)).toBe(false);
    expect((await s.get('lock'))?.toString()).toBe('first');
    expect(await s.ttl('lock')).toBeGreaterThan(9_000);
    expect(await s.setIfNotExists('forever', 'v')).toBe(true);
    expect(await s.ttl('forever')).toBe(Number.POSITIVE_INFINITY);
  });

  it('setIfNotExists lets exactly one of many concurrent callers win', async () => {
    const s = store();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.setIfNotExists('once', String(i))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('getAndDelete returns the value once', async () => {
    const s = store();
    await s.put('k', Buffer.from([1, 2, 3]));
    expect([...((await s.getAndDelete('k')) ?? [])]).toEqual([1, 2, 3]);
    expect(await s.getAndDelete('k')).toBeNull();
    expect(await s.contains('k')).toBe(false);
  });
});

describe('StateStore batches', () => {
  it('batchPut accepts a Map, pairs or an object; batchGet keeps order and nulls', async () => {
    const s = store('ns', { batchSize: 3 });
    await s.batchPut(new Map([['m1', 'a']]));
    await s.batchPut([
      ['p1', Buffer.from([0])],
      ['p2', 'b'],
    ]);
    await s.batchPut({ o1: 'c', 'o:2': 'd' });
    const keys = ['o:2', 'missing', 'm1', 'p1', 'p2', 'o1', 'm1'];
    const values = await s.batchGet(keys);
    expect(values.map((v) => (v === null ? null : v.toString('hex')))).toEqual([
      Buffer.from('d').toString('hex'),
      null,
      Buffer.from('a').toString('hex'),
      '00',
      Buffer.from('b').toString('hex'),
      Buffer.from('c').toString('hex'),
      Buffer.from('a').toString('hex'),
    ]);
    expect(await s.batchGet([])).toEqual([]);
  });

  it('handles batches larger than batchSize, with and without TTL', async () => {
    const s = store('ns', { batchSize: 7 });
    const entries = Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`] as const);
    await s.batchPut(entries);
    await s.batchPut(
      entries.slice(0, 10).map(([k]) => [`t${k}`, 'x'] as const),
      { ttlMs: 20_000 },
    );
    const got = await s.batchGet(entries.map(([k]) => k));
    expect(got.map((v) => v?.toString())).toEqual(entries.map(([, v]) => v));
    expect(await s.ttl('tk3')).toBeGreaterThan(19_000);
    expect(await s.count()).toBe(60);
    expect(await s.batchDelete([...entries.map(([k]) => k), 'never-there'])).toBe(50);
    expect(await s.count()).toBe(10);
  });

  it('later duplicates win in batchPut', async () => {
    const s = store();
    await s.batchPut([
      ['k', '1'],
      ['k', '2'],
    ]);
    expect((await s.get('k'))?.toString()).toBe('2');
  });
});

describe('StateStore validation', () => {
  it('rejects bad keys, values, TTLs and options with a typed error naming the field', async () => {
    const s = store();
    const cases: Array<[() => Promise<unknown> | unknown, string]> = [
      [() => s.put('', 'v'), 'key'],
      [() => s.put(42 as unknown as string, 'v'), 'key'],
      [() => s.put('\ud800', 'v'), 'key'],
      [() => s.put('k', 42 as unknown as string), 'value'],
      [() => s.put('k', null as unknown as string), 'value'],
      [() => s.putWithTtl('k', 'v', 0), 'ttlMs'],
      [() => s.putWithTtl('k', 'v', 1.5), 'ttlMs'],
      [() => s.putWithTtl('k', 'v', undefined as unknown as number), 'ttlMs'],
      [() => s.setIfNotExists('k', 'v', -1), 'ttlMs'],
      [
        () =>
          s.batchPut([
            ['ok', 'v'],
            ['', 'v'],
          ]),
        'entries[1].key',
      ],
      [
        () =>
          s.batchPut([
            ['ok', 'v'],
            ['k', {} as unknown as string],
          ]),
        'entries[1].value',
      ],
      [() => s.batchPut([['k']] as unknown as Array<[string, string]>), 'entries[0]'],
      [() => s.batchPut({ a: 'v' }, { ttlMs: Number.NaN }), 'options.ttlMs'],
      [() => s.batchGet(['a', '']), 'keys[1]'],
      [() => s.batchGet(['a', 'b:\udfff']), 'keys[1]'],
      [() => s.batchDelete('a' as unknown as string[]), 'keys'],
      [() => s.listKeys(7 as unknown as string), 'prefix'],
      [() => new StateStore({ redis: ctx.redis, namespace: '' }), 'options.namespace'],
      [() => new StateStore({ redis: {} as never, namespace: 'x' }), 'options.redis'],
      [() => new StateStore({ redis: ctx.redis, namespace: 'x', prefix: 'a b' }), 'options.prefix'],
      [() => new StateStore({ redis: ctx.redis, namespace: 'x', batchSize: 0 }), 'options.batchSize'],
    ];
    for (const [call, field] of cases) {
      const error = await Promise.resolve()
        .then(call)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, field).toBeInstanceOf(StateValidationError);
      expect((error as StateValidationError).code).toBe('E_STATE_VALIDATION');
      expect((error as StateValidationError).context.field).toBe(field);
    }
    // Nothing from the rejected batch was written.
    expect(await s.contains('ok')).toBe(false);
  });

  it('rejects values above maxValueBytes before writing anything', async () => {
    const s = store('ns', { maxValueBytes: 8 });
    await s.put('fits', '12345678');
    const error = await s
      .batchPut([
        ['a', 'ok'],
        ['b', '123456789'],
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatePayloadTooLargeError);
    expect(error).toMatchObject({
      code: 'E_STATE_PAYLOAD_TOO_LARGE',
      context: { field: 'entries[1].value', bytes: 9, limit: 8 },
    });
    await expect(s.put('big', Buffer.alloc(9))).rejects.toBeInstanceOf(StatePayloadTooLargeError);
    expect(await s.listKeys()).toEqual(['fits']);
  });
});
