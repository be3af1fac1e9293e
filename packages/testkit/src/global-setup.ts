import { availableParallelism } from 'node:os';
import { type RedisServerHandle, silentLogger, startRedis } from '@covina/embedded-server';
import type { TestProject } from 'vitest/node';
import { PROVIDE_KEY } from './provided.js';

/**
 * vitest globalSetup: one embedded redis-server per test worker, so tests never touch a shared
 * Redis (like the machine's own on 6379) and never queue behind another worker's commands.
 * Add it to a vitest config as `globalSetup: ['@covina/testkit/global-setup']`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = Number(project.config.maxWorkers);
  const workers = Number.isFinite(configured) && configured > 0 ? configured : availableParallelism();
  const servers: RedisServerHandle[] = await Promise.all(
    Array.from({ length: workers }, () => startRedis({ logger: silentLogger })),
  );
  // Untyped on purpose: a ProvidedContext augmentation would leak into every consumer's vitest types.
  (project.provide as (key: string, value: unknown) => void).call(
    project,
    PROVIDE_KEY,
    servers.map((s) => s.url),
  );
  return async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
}
