import type { Redis } from 'ioredis';
import type { ScopeDefinition } from '../../file/rows.js';
import { RdbType, redisTypeName } from '../../rdb/types.js';
import type { SnapshotContext } from '../types.js';

export interface CaptureStats {
  keys: number;
  bytes: number;
  deleted: number;
}

/**
 * Copies keys as they are now: DUMP + PTTL per key in one pipeline, with the server's TIME so
 * relative TTLs become absolute expiries. A key gone meanwhile (DUMP nil) is removed from the
 * sink, in case an earlier pass had captured it.
 */
export async function captureKeys(
  connection: Redis,
  keys: readonly Buffer[],
  scopeOf: (key: Buffer) => ScopeDefinition | null,
  ctx: SnapshotContext,
  stats: CaptureStats,
): Promise<void> {
  if (keys.length === 0) return;
  const batch = connection.pipeline();
  batch.time();
  for (const key of keys) {
    batch.dumpBuffer(key);
    batch.pttl(key);
  }
  const replies = (await batch.exec()) ?? [];
  const [timeError, time] = replies[0] ?? [];
  if (timeError) throw timeError;
  const [seconds, micros] = time as [string, string];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const [dumpError, payload] = replies[1 + 2 * i] ?? [];
    const [ttlError, pttl] = replies[2 + 2 * i] ?? [];
    if (dumpError) throw dumpError;
    if (ttlError) throw ttlError;
    const scope = scopeOf(key);
    if (!scope) continue;
    if (payload === null || (pttl as number) === -2) {
      ctx.sink.deleteKey(key, scope.name);
      stats.deleted++;
      continue;
    }
    const body = payload as Buffer;
    ctx.sink.putKey({
      scope: scope.name,
      key,
      keyType: ctx.keyTypeOf(key),
      redisType: redisTypeName(body[0] ?? RdbType.STRING),
      expireAt: (pttl as number) >= 0 ? now + (pttl as number) : null,
      payload: body,
    });
    stats.keys++;
    stats.bytes += body.length;
  }
}
