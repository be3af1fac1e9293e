import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisOptionsError, startCluster } from '../src/index.js';
import { isAlive } from '../src/process-state.js';
import { quiet } from './helpers.js';

/** Keys per master, counted on each master directly (not through the cluster client). */
async function keysPerMaster(urls: string[]): Promise<number[]> {
  return Promise.all(
    urls.map(async (url) => {
      const node = new Redis(url);
      try {
        return await node.dbsize();
      } finally {
        node.disconnect();
      }
    }),
  );
}

describe('startCluster', () => {
  it('forms a 1-master cluster that a Cluster client can follow (announced host, not empty)', async () => {
    const cluster = await startCluster({ masters: 1, logger: quiet });
    const client = new Cluster(cluster.startupNodes);
    try {
      await client.set('solo', '1');
      expect(await client.get('solo')).toBe('1');
      const slots = await client.cluster('SLOTS');
      expect(slots[0]?.[2]?.[0]).toBe('127.0.0.1');
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });

  it('forms a 3-master cluster an ioredis Cluster client spreads keys over', async () => {
    const cluster = await startCluster({ masters: 3, logger: quiet });
    const client = new Cluster(cluster.startupNodes);
    try {
      expect(cluster.masters).toHaveLength(3);
      expect(new Set(cluster.nodes.map((n) => n.id)).size).toBe(3);
      const info = await client.cluster('INFO');
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');

      for (let i = 0; i < 300; i++) await client.set(`k:${i}`, String(i));
      expect(await client.get('k:123')).toBe('123');
      const counts = await keysPerMaster(cluster.masters.map((m) => m.url));
      expect(counts.every((n) => n > 0)).toBe(true);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(300);

      // The key lives on the master that owns its slot.
      const slot = await client.cluster('KEYSLOT', 'k:7');
      const owners = await Promise.all(
        cluster.masters.map(async (m) => {
          const node = new Redis(m.url);
          const n = await node.cluster('COUNTKEYSINSLOT', slot);
          node.disconnect();
          return n;
        }),
      );
      expect(owners.filter((n) => n > 0)).toHaveLength(1);
    } finally {
      await client.quit();
      await cluster.stop();
    }
    for (const node of cluster.nodes) expect(await isAlive(node.pid)).toBe(false);
  });

  it('adds replicas, and a persistent cluster comes back on the same ports with its data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'covina-cluster-test-'));
    try {
      const first = await startCluster({ masters: 2, replicasPerMaster: 1, persistent: dir, logger: quiet });
      const ports = first.nodes.map((n) => n.port).sort();
      expect(first.replicas).toHaveLength(2);
      const client = new Cluster(first.startupNodes);
      for (let i = 0; i < 50; i++) await client.set(`p:${i}`, String(i));
      await client.quit();
      await first.stop();

      const second = await startCluster({ masters: 2, replicasPerMaster: 1, persistent: dir, logger: quiet });
      try {
        expect(second.nodes.map((n) => n.port).sort()).toEqual(ports);
        const again = new Cluster(second.startupNodes);
        expect(await again.get('p:42')).toBe('42');
        await again.quit();
      } finally {
        await second.stop();
      }
      await expect(startCluster({ masters: 3, persistent: dir, logger: quiet })).rejects.toThrow(
        RedisOptionsError,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a cluster without masters', async () => {
    await expect(startCluster({ masters: 0 })).rejects.toMatchObject({
      code: 'E_REDIS_OPTIONS',
      field: 'masters',
    });
  });
});
