import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import { uniquePrefix } from './prefix.js';
import { deleteByPrefix } from './scan-delete.js';
import { workerRedisUrl } from './worker-server.js';

export interface RedisTestContext {
  /** A client of this worker's embedded server, fresh for each test. */
  readonly redis: Redis;
  /** This test's own key prefix; everything under `prefix:` is deleted after the test. */
  readonly prefix: string;
  /** URL of the embedded server (for child processes and other clients). */
  readonly url: string;
  /** `prefix:part:part…` */
  key(...parts: Array<string | number>): string;
  /** Another client of the same server, closed after the test (for blocking commands, pub/sub…). */
  client(options?: RedisOptions): Redis;
}

/**
 * Call at the top of a test file or `describe`: each test gets its own client and key prefix on
 * this worker's embedded Redis, and its keys are removed afterwards.
 */
export function useRedis(): RedisTestContext {
  let url = '';
  let prefix = '';
  let main: Redis | undefined;
  const extra: Redis[] = [];

  beforeEach(async () => {
    url = await workerRedisUrl();
    prefix = uniquePrefix();
    main = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  });

  afterEach(async () => {
    const clients = [...extra.splice(0)];
    if (main) {
      await deleteByPrefix(main, prefix).catch(() => {});
      clients.push(main);
      main = undefined;
    }
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  });

  return {
    get redis() {
      if (!main) throw new Error('useRedis(): the client exists only inside a test');
      return main;
    },
    get prefix() {
      return prefix;
    },
    get url() {
      return url;
    },
    key: (...parts) => [prefix, ...parts].join(':'),
    client(options) {
      const c = new Redis(url, { maxRetriesPerRequest: 3, ...options });
      extra.push(c);
      return c;
    },
  };
}
