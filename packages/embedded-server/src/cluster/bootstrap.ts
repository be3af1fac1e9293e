import { RedisClusterError } from '../errors.js';
import { command, type Endpoint, parseInfo } from '../resp.js';
import { SLOT_COUNT, slotRanges } from './slots.js';

type NodeEndpoint = Endpoint & { password?: string };

async function clusterInfo(node: NodeEndpoint): Promise<Map<string, string>> {
  return parseInfo(await command(node, ['CLUSTER', 'INFO']));
}

/** Polls `check` every 50 ms until it returns true; throws with `describe()` at the deadline. */
async function until(
  deadline: number,
  check: () => Promise<boolean>,
  describe: () => Promise<string>,
): Promise<void> {
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new RedisClusterError(`local cluster not ready in time: ${await describe().catch((e) => String(e))}`);
}

/**
 * Turns fresh cluster-enabled servers into one cluster, natively (no redis-cli): distinct config
 * epochs, slot ranges on the masters, MEET, then REPLICATE for replicas. Servers that already form
 * a cluster (a persistent one coming back) are only waited for.
 */
export async function formCluster(nodes: NodeEndpoint[], masters: number, deadline: number): Promise<void> {
  const infos = await Promise.all(nodes.map(clusterInfo));
  const fresh = infos.every(
    (i) => i.get('cluster_known_nodes') === '1' && i.get('cluster_slots_assigned') === '0',
  );
  if (fresh) {
    await assignSlots(nodes.slice(0, masters));
    const [first, ...others] = nodes as [NodeEndpoint, ...NodeEndpoint[]];
    for (const other of others) await command(first, ['CLUSTER', 'MEET', other.host, String(other.port)]);
    await attachReplicas(nodes, masters, deadline);
  } else if (!infos.some((i) => i.get('cluster_slots_assigned') === String(SLOT_COUNT))) {
    throw new RedisClusterError(
      'these nodes hold a half-built cluster (from an interrupted start?); delete the data dir to start over',
    );
  }
  await until(
    deadline,
    async () => {
      const all = await Promise.all(nodes.map(clusterInfo));
      return all.every(
        (i) => i.get('cluster_state') === 'ok' && i.get('cluster_known_nodes') === String(nodes.length),
      );
    },
    async () => {
      const all = await Promise.all(nodes.map(clusterInfo));
      return all
        .map(
          (i, n) =>
            `${nodes[n]?.port}: state=${i.get('cluster_state')} known=${i.get('cluster_known_nodes')} ` +
            `slots=${i.get('cluster_slots_assigned')}`,
        )
        .join(', ');
    },
  );
}

async function assignSlots(masters: NodeEndpoint[]): Promise<void> {
  const ranges = slotRanges(masters.length);
  await Promise.all(
    masters.map(async (node, i) => {
      const [first, last] = ranges[i] as [number, number];
      // Distinct epochs up front, as redis-cli does: no epoch collisions to resolve later.
      await command(node, ['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)]);
      await command(node, ['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
    }),
  );
}

/** Replica k follows master (k - masters) % masters, once it has heard of that master. */
async function attachReplicas(nodes: NodeEndpoint[], masters: number, deadline: number): Promise<void> {
  const masterIds = await Promise.all(nodes.slice(0, masters).map((n) => command(n, ['CLUSTER', 'MYID'])));
  await Promise.all(
    nodes.slice(masters).map(async (replica, k) => {
      const masterId = String(masterIds[k % masters]);
      await until(
        deadline,
        async () => String(await command(replica, ['CLUSTER', 'NODES'])).includes(masterId),
        async () => `replica ${replica.port} never learned of master ${masterId}`,
      );
      await command(replica, ['CLUSTER', 'REPLICATE', masterId]);
    }),
  );
}
