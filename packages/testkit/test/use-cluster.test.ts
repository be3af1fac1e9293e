import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useCluster } from '../src/index.js';

describe('useCluster', () => {
  const ctx = useCluster({ masters: 3 });
  let previous = '';

  it('gives a ready 3-master cluster and a Cluster client that spreads keys over every master', async () => {
    expect(ctx.nodes.filter((n) => n.role === 'master')).toHaveLength(3);
    const client = ctx.client();
    for (let i = 0; i < 60; i++) await client.set(ctx.key(i), String(i));
    expect(await client.get(ctx.key(7))).toBe('7');
    for (const node of ctx.nodes) {
      const direct = new Redis(node.url);
      const [, keys] = await direct.scan('0', 'MATCH', `${ctx.prefix}:*`, 'COUNT', 1000);
      direct.disconnect();
      expect(keys.length, `keys on ${node.port}`).toBeGreaterThan(0);
    }
    await client.set(`${ctx.prefix}-outside`, 'keep', 'EX', 60);
    previous = ctx.prefix;
  });

  it('deleted the previous test keys on every master, and leaves other keys alone', async () => {
    expect(ctx.prefix).not.toBe(previous);
    for (const node of ctx.nodes) {
      const direct = new Redis(node.url);
      const [, keys] = await direct.scan('0', 'MATCH', `${previous}:*`, 'COUNT', 1000);
      direct.disconnect();
      expect(keys).toEqual([]);
    }
    const client = ctx.client();
    expect(await client.get(`${previous}-outside`)).toBe('keep');
    await client.del(`${previous}-outside`);
  });
});
