import type { Cluster, Redis } from 'ioredis';
import type { ScopeDefinition } from '../file/rows.js';
import type { NodeTask } from './types.js';

/** `instanceof Cluster` fails across duplicated ioredis copies; the flag does not. */
export function isCluster(redis: Redis | Cluster): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

export function nodeName(node: Redis): string {
  const o = node.options;
  return `${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
}

/** The hash tag of a key (what Redis Cluster hashes), as Redis extracts it. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/**
 * Which server holds which scope: everything on a standalone server; on a cluster, a pipeline
 * scope (one hash tag, one slot) on the master owning that slot, a prefix scope on every master.
 */
export async function planNodes(
  redis: Redis | Cluster,
  scopes: readonly ScopeDefinition[],
): Promise<NodeTask[]> {
  if (!isCluster(redis)) return [{ node: redis, name: nodeName(redis), scopes: [...scopes] }];
  if (redis.status !== 'ready') await redis.ping();
  const masters = redis.nodes('master');
  const byName = new Map(
    masters.map((node) => [nodeName(node), { node, name: nodeName(node), scopes: [] as ScopeDefinition[] }]),
  );
  for (const scope of scopes) {
    if (scope.kind === 'prefix') {
      for (const task of byName.values()) task.scopes.push(scope);
      continue;
    }
    const tag = hashTag(scope.prefix);
    const slot = Number(await masters[0]!.call('CLUSTER', 'KEYSLOT', tag));
    const owner = redis.slots[slot]?.[0];
    const task = owner ? byName.get(owner) : undefined;
    if (!task) throw new Error(`No master serves slot ${slot} of scope ${scope.name}`);
    task.scopes.push(scope);
  }
  return [...byName.values()].filter((t) => t.scopes.length > 0);
}

/** The scope a key belongs to: the one with the longest matching prefix. */
export function scopeMatcher(scopes: readonly ScopeDefinition[]): (key: Buffer) => ScopeDefinition | null {
  const ordered = [...scopes]
    .map((scope) => ({ scope, prefix: Buffer.from(scope.prefix) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return (key) => {
    for (const { scope, prefix } of ordered) {
      if (key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0)
        return scope;
    }
    return null;
  };
}

/** Server time in Unix ms (`TIME`), so expiries compare against the server's clock, not ours. */
export async function serverTimeMs(node: Redis): Promise<number> {
  const [seconds, micros] = (await node.time()) as [string | number, string | number];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export async function redisVersion(node: Redis): Promise<string> {
  const info = await node.info('server');
  return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
}
