import { expect, it } from 'vitest';
import { BoundedMap } from '../src/bounded-map.js';

it('BoundedMap keeps the maxKeys most recently set keys', () => {
  const map = new BoundedMap<string, number>(2);
  map.set('a', 1).set('b', 2).set('a', 3); // setting 'a' again makes it the newest
  map.set('c', 4);
  expect([...map]).toEqual([
    ['a', 3],
    ['c', 4],
  ]);
});
