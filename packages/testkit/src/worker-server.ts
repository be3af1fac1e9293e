import { type RedisServerHandle, silentLogger, startRedis } from '@covina/embedded-server';
import { inject } from 'vitest';
import { PROVIDE_KEY, type ProvidedRedisUrls } from './provided.js';

const LAZY = Symbol.for('covina.testkit.lazyServer');
type Holder = { [LAZY]?: Promise<RedisServerHandle> };

/**
 * The URL of this test worker's own embedded Redis: the one the global setup started for this
 * pool slot, or (when a project runs without that setup) one started here on first use.
 */
export async function workerRedisUrl(): Promise<string> {
  let urls: string[] | undefined;
  try {
    urls = (inject as (key: string) => ProvidedRedisUrls | undefined)(PROVIDE_KEY);
  } catch {
    urls = undefined;
  }
  if (urls && urls.length > 0) {
    const slot = Math.max(0, Number(process.env.VITEST_POOL_ID ?? '1') - 1);
    return urls[slot % urls.length] as string;
  }
  const holder = globalThis as Holder;
  holder[LAZY] ??= startRedis({ logger: silentLogger });
  return (await holder[LAZY]).url;
}
