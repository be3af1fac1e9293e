import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { type StateCheckpoint, StateStore, StateValidationError } from '../src/state/index.js';

const ctx = useRedis();

function store(namespace: string, batchSize = 1000): StateStore {
  return new StateStore({ redis: ctx.redis, namespace, prefix: ctx.prefix, batchSize });
}

describe('StateStore checkpoint / restore', () => {
  it('round-trips values, keys and expiries into an empty namespace', async () => {
    const source = store('src', 4);
    const binary = Buffer.from([0, 255, 10, 13, 0xc3]);
    await source.batchPut({ plain: 'v1', 'odd:key *?': binary });
    await source.putWithTtl('expiring', 'soon', 60_000);
    const before = Date.now();
    const cp = await source.checkpoint();

    expect(cp.version).toBe(1);
    expect(cp.namespace).toBe('src');
    expect(cp.entries.map((e) => e.key)).toEqual(['expiring', 'odd:key *?', 'plain']);
    const expiring = cp.entries[0]!;
    expect(expiring.expiresAt).toBeGreaterThan(before + 55_000);
    expect(cp.entries[2]!.expiresAt).toBeNull();

    const target = store('dst', 2);
    expect(await target.restore(cp)).toEqual({ written: 3, expired: 0, deleted: 0 });
    expect((await target.get('odd:key *?'))?.equals(binary)).toBe(true);
    expect((await target.get('plain'))?.toString()).toBe('v1');
    expect(await target.ttl('plain')).toBe(Number.POSITIVE_INFINITY);
    const ttl = (await target.ttl('expiring')) ?? 0;
    expect(Math.abs(Date.now() + ttl - (expiring.expiresAt ?? 0))).toBeLessThan(2_000);
    // The restored namespace checkpoints to the same entries.
    expect((await target.checkpoint()).entries).toEqual(cp.entries);
  });

  it('replace mode makes the namespace equal to the checkpoint; merge keeps other keys', async () => {
    const s = store('ns');
    await s.batchPut({ a: '1', b: '2' });
    const cp = await s.checkpoint();
    await s.batchPut({ a: 'changed', c: 'new' });

    expect(await s.restore(cp, { mode: 'merge' })).toEqual({ written: 2, expired: 0, deleted: 0 });
    expect(await s.listKeys()).toEqual(['a', 'b', 'c']);
    expect((await s.get('a'))?.toString()).toBe('1');

    await s.put('b', 'changed');
    expect(await s.restore(cp)).toEqual({ written: 2, expired: 0, deleted: 1 });
    expect(await s.listKeys()).toEqual(['a', 'b']);
    expect((await s.get('b'))?.toString()).toBe('2');
  });

  it('skips entries whose expiry passed and deletes their live copies in replace mode', async () => {
    const s = store('ns');
    await s.batchPut({ gone: 'x', kept: 'y' });
    const cp = await s.checkpoint();
    // As if `gone` had expired between checkpoint and restore.
    const aged = {
      ...cp,
      entries: cp.entries.map((e) => (e.key === 'gone' ? { ...e, expiresAt: cp.createdAt - 1 } : e)),
    };
    await s.put('gone', 'rewritten');
    expect(await s.restore(aged)).toEqual({ written: 1, expired: 1, deleted: 1 });
    expect(await s.listKeys()).toEqual(['kept']);
  });

  it('checkpoints an empty namespace and restores it as a clear', async () => {
    const empty = await store('empty').checkpoint();
    expect(empty.entries).toEqual([]);
    const s = store('ns');
    await s.batchPut({ a: '1' });
    expect(await s.restore(empty)).toEqual({ written: 0, expired: 0, deleted: 1 });
    expect(await s.count()).toBe(0);
  });

  it('survives a trip through JSON-like storage (Uint8Array values)', async () => {
    const s = store('ns');
    await s.put('k', Buffer.from([1, 2, 3]));
    const cp = await s.checkpoint();
    const copy: StateCheckpoint = {
      ...cp,
      entries: cp.entries.map((e) => ({ ...e, value: new Uint8Array(e.value) as Buffer })),
    };
    await store('copy').restore(copy);
    expect([...((await store('copy').get('k')) ?? [])]).toEqual([1, 2, 3]);
  });

  it('rejects malformed checkpoints without touching the namespace', async () => {
    const s = store('ns');
    await s.put('keep', 'v');
    const good = await s.checkpoint();
    const bad: Array<[unknown, string]> = [
      [null, 'checkpoint'],
      [{ ...good, version: 2 }, 'checkpoint.version'],
      [{ ...good, entries: 'x' }, 'checkpoint.entries'],
      [
        { ...good, entries: [{ key: '', value: Buffer.alloc(1), expiresAt: null }] },
        'checkpoint.entries[0].key',
      ],
      [{ ...good, entries: [{ key: 'k', value: 5, expiresAt: null }] }, 'checkpoint.entries[0].value'],
      [{ ...good, entries: [{ key: 'k', value: 'v', expiresAt: -3 }] }, 'checkpoint.entries[0].expiresAt'],
      [
        {
          ...good,
          entries: [
            { key: 'k', value: 'v', expiresAt: null },
            { key: 'k', value: 'w', expiresAt: null },
          ],
        },
        'checkpoint.entries[1].key',
      ],
    ];
    for (const [cp, field] of bad) {
      const error = await s.restore(cp as StateCheckpoint).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(StateValidationError);
      expect((error as StateValidationError).context.field).toBe(field);
    }
    await expect(s.restore(good, { mode: 'wipe' as 'merge' })).rejects.toBeInstanceOf(StateValidationError);
    expect(await s.listKeys()).toEqual(['keep']);
  });
});
