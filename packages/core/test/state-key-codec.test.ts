import { useRedis } from '@covina/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStateKey, encodeStateKey, StateStore } from '../src/state/index.js';

/** Any well-formed string: every Unicode scalar value, so surrogate pairs but no lone halves. */
const anyKey = fc.string({ unit: 'binary', minLength: 1 });
/** Keys drawn from a small alphabet full of troublemakers, so prefixes collide often. */
const trickyKey = fc.string({
  unit: fc.constantFrom('a', 'b', ':', '%', '*', '?', '[', ']', '\\', '{', '}', ' ', '/', 'é', '🐢', '%3A'),
  minLength: 1,
  maxLength: 6,
});

describe('state key encoding', () => {
  it('round-trips every well-formed key', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        expect(decodeStateKey(encodeStateKey(key))).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('emits only characters a key-template value and a SCAN pattern take literally', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        expect(encodeStateKey(key)).toMatch(/^[\x21-\x7e]+$/);
        expect(encodeStateKey(key)).not.toMatch(/[:{}*?[\]\\]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps prefixes: k starts with p exactly when encode(k) starts with encode(p)', () => {
    fc.assert(
      fc.property(trickyKey, trickyKey, (k, p) => {
        expect(encodeStateKey(k).startsWith(encodeStateKey(p))).toBe(k.startsWith(p));
        expect(encodeStateKey(p + k).startsWith(encodeStateKey(p))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves readable keys readable and escapes the rest', () => {
    expect(encodeStateKey('user/42-a_b.c~d')).toBe('user/42-a_b.c~d');
    expect(encodeStateKey('a:b/c')).toBe('a%3Ab/c');
    expect(encodeStateKey('100%')).toBe('100%25');
    expect(encodeStateKey('a b')).toBe('a%20b');
    expect(encodeStateKey('é')).toBe('%C3%A9');
  });

  it('refuses unpaired surrogates, which have no UTF-8 form', () => {
    for (const bad of ['\ud800', 'a\udc00b', 'x:\ud83d']) expect(() => encodeStateKey(bad)).toThrow(URIError);
    expect(encodeStateKey('\ud83d\udc22')).toBe('%F0%9F%90%A2');
  });

  it('decodes only canonical encodings (no aliases)', () => {
    for (const alias of ['%41', '%3a', 'a:b', 'a*', '%', '%G0', '%ED%A0%80', '']) {
      expect(decodeStateKey(alias), alias).toBeUndefined();
    }
  });
});

describe('listKeys on real Redis', () => {
  const ctx = useRedis();

  it('returns exactly the keys starting with the prefix, glob characters included', async () => {
    const s = new StateStore({ redis: ctx.redis, namespace: 'glob', prefix: ctx.prefix });
    const keys = [
      'a*b',
      'a*',
      'ab',
      'axb',
      'a?',
      'ac',
      '[a]',
      'a',
      'x\\y',
      'x\\',
      'x',
      '%41',
      'A',
      'a:b',
      'a%',
    ];
    await s.batchPut(keys.map((k) => [k, k]));
    for (const prefix of ['', 'a*', 'a?', '[a', 'x\\', '%', 'A', 'a:', 'a', 'nothing']) {
      const expected = keys.filter((k) => k.startsWith(prefix)).sort();
      expect(await s.listKeys(prefix), prefix).toEqual(expected);
    }
  });

  it('matches a model for random keys and prefixes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(trickyKey, { maxLength: 12 }), trickyKey, async (keys, prefix) => {
        const s = new StateStore({ redis: ctx.redis, namespace: `run${run++}`, prefix: ctx.prefix });
        await s.batchPut(keys.map((k) => [k, k]));
        const sample = Array.from(keys[0] ?? '')
          .slice(0, 2)
          .join('');
        for (const p of [prefix, sample, '']) {
          expect(await s.listKeys(p)).toEqual(keys.filter((k) => k.startsWith(p)).sort());
        }
        expect(await s.count()).toBe(keys.length);
      }),
      { numRuns: 40 },
    );
  });
});
