import type { RedisTestContext } from '@covina/testkit';
import { Cache, type CacheOptions, createKeyRegistry, type KeyRegistry } from '../src/index.js';

/** A registry under the test's own prefix, with a few templates like an app would add. */
export function testKeys(prefix: string) {
  return createKeyRegistry({ prefix })
    .register('thumb', 'cache:thumb:{document_uuid}')
    .register('page', 'cache:page:{document_uuid}:{page}')
    .register('task', '{{pipeline}}:task:{id}')
    .register('taskDeps', '{{pipeline}}:task:{id}:deps');
}

export type TestTemplates = ReturnType<typeof testKeys> extends KeyRegistry<infer T> ? T : never;

/**
 * A cache on the test's Redis, keys under the test's prefix. The command timeout is generous:
 * these tests check behaviour on a busy shared machine; fault.test.ts checks the timeouts.
 */
export function testCache(ctx: RedisTestContext, options: Partial<CacheOptions<TestTemplates>> = {}) {
  return new Cache<TestTemplates>({
    redis: ctx.redis,
    keys: testKeys(ctx.prefix),
    commandTimeoutMs: 2_000,
    ...options,
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
