import type { RedisTestContext } from '@covina/testkit';
import type { Redis } from 'ioredis';
import { PipelineStore, type PipelineStoreOptions } from '../../src/pipeline/index.js';

/** A store on this test's prefix, with short timings so lease and retry tests stay fast. */
export function makeStore(
  ctx: RedisTestContext,
  overrides: Partial<PipelineStoreOptions> = {},
  redis: Redis = ctx.redis,
): PipelineStore {
  return new PipelineStore({
    redis,
    pipeline: 'docs',
    prefix: ctx.prefix,
    leaseMs: 5_000,
    backoff: { baseMs: 50, maxMs: 400 },
    ...overrides,
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** A batch with one file; returns both ids. */
export async function batchWithFile(store: PipelineStore, path = '/inbox/a.pdf') {
  const batchId = await store.createBatch({ name: 'inbox' });
  const fileId = await store.addFileToBatch({
    batchId,
    path,
    hash: `sha-${path}`,
    size: 1234,
    mimeType: 'application/pdf',
  });
  return { batchId, fileId };
}
