import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type BinarySerializer, type Cache, CacheSerializeError, v8Serializer } from '../src/index.js';
import { type TestTemplates, testCache } from './helpers.js';

const ctx = useRedis();
const open: Array<Cache<TestTemplates>> = [];
const make = (options: Parameters<typeof testCache>[1] = {}) => {
  const cache = testCache(ctx, options);
  open.push(cache);
  return cache;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** Every byte value, including the envelope's `|`, CR/LF and NUL. */
const everyByte = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

describe('binary values (v8Serializer)', () => {
  it('round-trips a Buffer through set/get, stored as raw bytes (no base64, no JSON)', async () => {
    const cache = make({ serializer: v8Serializer });
    expect(await cache.set('thumb', { document_uuid: 'png' }, everyByte)).toBe(true);
    const back = await cache.get<Buffer>('thumb', { document_uuid: 'png' });
    expect(Buffer.isBuffer(back)).toBe(true);
    expect(back?.equals(everyByte)).toBe(true);

    const raw = await ctx.redis.getBuffer(`${ctx.prefix}:cache:thumb:png`);
    expect(raw?.subarray(0, 2).toString('latin1')).toBe('1|');
    // Header (~16 bytes) + v8 framing (a few bytes) + the payload itself.
    expect(raw?.length).toBeLessThan(everyByte.length + 40);
    expect(raw?.includes(everyByte)).toBe(true);
  });

  it('keeps Buffers, Dates, Maps, Sets and BigInts at any depth, in getMany/setMany and getOrSet', async () => {
    const cache = make({ serializer: v8Serializer });
    const page = (i: number) => ({
      mime: 'image/png',
      bytes: Buffer.from([i, 0x7c, 0x0d, 0x0a, 0]),
      renderedAt: new Date(1_700_000_000_000 + i),
      sizes: new Map([['w', 320 + i]]),
      tags: new Set(['a', `p${i}`]),
      checksum: 2n ** 64n + BigInt(i),
    });
    const entries = [1, 2, 3].map((i) => ({ params: { document_uuid: 'doc', page: i }, value: page(i) }));
    expect(await cache.setMany('page', entries)).toBe(3);
    const values = await cache.getMany<ReturnType<typeof page>>('page', [
      ...entries.map((e) => e.params),
      { document_uuid: 'doc', page: 9 },
    ]);
    expect(values).toEqual([page(1), page(2), page(3), undefined]);
    expect(Buffer.isBuffer(values[0]?.bytes)).toBe(true);

    let loads = 0;
    const loader = async () => {
      loads++;
      return page(7);
    };
    expect(await cache.getOrSet('page', { document_uuid: 'doc', page: 7 }, loader)).toEqual(page(7));
    const again = await cache.getOrSet('page', { document_uuid: 'doc', page: 7 }, loader);
    expect(again).toEqual(page(7));
    expect(again.renderedAt).toBeInstanceOf(Date);
    expect(loads).toBe(1);
  });

  it('serves binary values from the memory tier too', async () => {
    const cache = make({ serializer: v8Serializer, memory: {} });
    await cache.set('thumb', { document_uuid: 'm' }, everyByte);
    await ctx.redis.unlink(`${ctx.prefix}:cache:thumb:m`);
    expect((await cache.get<Buffer>('thumb', { document_uuid: 'm' }))?.equals(everyByte)).toBe(true);
    expect(cache.memoryUsage.bytes).toBeGreaterThanOrEqual(everyByte.length);
  });

  it('accepts a custom binary serializer (raw bytes, no framing) and a large value', async () => {
    const raw: BinarySerializer = {
      binary: true,
      serialize: (value) => value as Buffer,
      deserialize: (bytes) => Buffer.from(bytes), // a copy: `bytes` is a view of the reply
    };
    const cache = make({ serializer: raw });
    const big = Buffer.alloc(2 * 1024 * 1024, 0xab);
    big.set(everyByte, 1000);
    await cache.set('thumb', { document_uuid: 'big' }, big);
    const back = await cache.get<Buffer>('thumb', { document_uuid: 'big' });
    expect(back?.length).toBe(big.length);
    expect(back?.equals(big)).toBe(true);
  });

  it('reads an entry written by a text serializer as a corrupt entry (a miss), and vice versa', async () => {
    const errors: string[] = [];
    const onError = (e: { error: unknown }) => errors.push((e.error as { code?: string }).code ?? '');
    const text = make({ onError });
    const binary = make({ serializer: v8Serializer, onError });
    await text.set('thumb', { document_uuid: 't' }, { n: 1 });
    await binary.set('thumb', { document_uuid: 'b' }, { n: 2 });
    expect(await binary.get('thumb', { document_uuid: 't' })).toBeUndefined();
    expect(await text.get('thumb', { document_uuid: 'b' })).toBeUndefined();
    expect(errors).toEqual(['E_CACHE_CORRUPT_ENTRY', 'E_CACHE_CORRUPT_ENTRY']);
  });
});

describe('jsonSerializer and binary data', () => {
  it('refuses a Buffer with CacheSerializeError instead of storing { type, data }; nothing is written', async () => {
    const cache = make();
    const error = await cache.set('thumb', { document_uuid: 'j' }, Buffer.from('png')).catch((e) => e);
    expect(error).toBeInstanceOf(CacheSerializeError);
    expect(error).toMatchObject({ code: 'E_CACHE_SERIALIZE' });
    expect(String(error.message)).toMatch(/v8Serializer/);
    expect(await ctx.redis.exists(`${ctx.prefix}:cache:thumb:j`)).toBe(0);
    await expect(
      cache.getOrSet('thumb', { document_uuid: 'j' }, async () => new Uint8Array([1])),
    ).rejects.toBeInstanceOf(CacheSerializeError);
  });

  it('v8Serializer names what it cannot store', async () => {
    const cache = make({ serializer: v8Serializer });
    await expect(cache.set('thumb', { document_uuid: 'f' }, { fn: () => 1 })).rejects.toBeInstanceOf(
      CacheSerializeError,
    );
  });
});
