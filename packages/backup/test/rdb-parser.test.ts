import { randomBytes } from 'node:crypto';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { crc64 } from '../src/rdb/crc64.js';
import { RdbFormatError } from '../src/rdb/cursor.js';
import { type RdbEntry, RdbStreamParser } from '../src/rdb/parser.js';
import { endpointOf } from '../src/snapshot/replication/endpoint.js';
import { transferRdb } from '../src/snapshot/replication/rdb-transfer.js';
import { seedEveryType } from './helpers.js';

function parse(rdb: Buffer, chunk: (i: number) => number, keep: (key: Buffer) => boolean) {
  const entries: RdbEntry[] = [];
  const parser = new RdbStreamParser({ accept: (_db, key) => keep(key), entry: (e) => entries.push(e) });
  for (let at = 0, i = 0; at < rdb.length; i++) {
    const size = Math.max(1, chunk(i));
    parser.write(rdb.subarray(at, at + size));
    at += size;
  }
  return { entries, summary: parser.end() };
}

describe('RDB stream parser', () => {
  const ctx = useRedis();

  it('computes CRC-64/Jones like Redis', () => {
    expect(crc64(Buffer.from('123456789')).hex()).toBe('e9c6d914c4b8d9ca');
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 255));
    // Unaligned views (the 8-byte steps read aligned words) and split updates agree.
    const whole = crc64(data).hex();
    expect(crc64(data.subarray(3)).hex()).toBe(crc64(Buffer.from(data.subarray(3))).hex());
    expect(crc64(data, 3).hex()).toBe(crc64(Buffer.from(data.subarray(3))).hex());
    const split = crc64(data, 0, 517);
    split.update(data, 517, 1000);
    expect(split.hex()).toBe(whole);
  });

  it('gives the same entries however the stream is chunked', async () => {
    await seedEveryType(ctx.redis, ctx.prefix);
    const chunks: Buffer[] = [];
    await transferRdb(endpointOf(ctx.redis), (c) => chunks.push(Buffer.from(c)), { idleTimeoutMs: 30_000 });
    const rdb = Buffer.concat(chunks);
    const mine = (key: Buffer) => key.toString().startsWith(`${ctx.prefix}:`);

    const reference = parse(rdb, () => rdb.length, mine);
    expect(reference.entries).toHaveLength(14);
    expect(reference.summary.checksum).toBe('verified');
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return 1 + (seed % 5000);
    };
    for (const chunk of [() => 1, () => 7, () => 4096, random]) {
      const { entries, summary } = parse(rdb, chunk, mine);
      expect(summary).toEqual(reference.summary);
      expect(
        entries.map((e) => [e.key.toString(), e.rdbType, e.expireAt, e.payload.toString('hex')]),
      ).toEqual(
        reference.entries.map((e) => [e.key.toString(), e.rdbType, e.expireAt, e.payload.toString('hex')]),
      );
    }
  });

  it('refuses a corrupted stream and a truncated one', async () => {
    const value = randomBytes(200); // incompressible: stored as is in the RDB
    await ctx.redis.set(`${ctx.prefix}:k`, value);
    const chunks: Buffer[] = [];
    await transferRdb(endpointOf(ctx.redis), (c) => chunks.push(Buffer.from(c)), { idleTimeoutMs: 30_000 });
    const rdb = Buffer.concat(chunks);
    const at = rdb.indexOf(value);
    expect(at).toBeGreaterThan(0);
    const flipped = Buffer.from(rdb);
    flipped[at + 10] = (flipped[at + 10]! + 1) & 0xff;
    expect(() =>
      parse(
        flipped,
        () => 1000,
        () => true,
      ),
    ).toThrow(/checksum mismatch/);
    expect(() =>
      parse(
        rdb.subarray(0, rdb.length - 20),
        () => 1000,
        () => true,
      ),
    ).toThrow(RdbFormatError);
    expect(() =>
      parse(
        Buffer.from('HELLO0010'),
        () => 9,
        () => true,
      ),
    ).toThrow(/not an RDB stream/);
  });
});
