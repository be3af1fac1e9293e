import { scanKeys, useRedis } from '@covina/testkit';
import { expect, it } from 'vitest';
import { BackupFile, BackupManager } from '../src/index.js';
import { useTempDir } from './helpers.js';
import { makeStore, readAll, seedLargePipeline } from './pipeline-fixture.js';

const ctx = useRedis();
const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

// 10,000 tasks here (the 100,000 and the 1,000,000 of bench/backup.bench.ts take too
// long to create on a shared test machine); field by field, through backup and restore.
it('round-trips 10,000 tasks in every state, field by field', async () => {
  const store = makeStore(ctx.redis, ctx.prefix);
  const ids = await seedLargePipeline(store, 1000);
  expect(ids).toHaveLength(10_000);
  const before = await readAll(store, ids);
  expect(new Set([...before.values()].map((t) => t.status))).toEqual(
    new Set(['waiting', 'ready', 'active', 'completed', 'failed', 'cancelled']),
  );

  const path = `${await dir.create()}/b.db`;
  const backups = new BackupManager({ redis: ctx.redis, store, path });
  const result = await backups.forceBackupNow();
  expect(result.taskCount).toBe(10_000);
  expect(result.fileCount).toBe(1000);

  const file = BackupFile.open(path);
  const tasks = file.tasks('docs');
  const byStatus = file.tasksByStatus();
  file.close();
  expect(tasks).toHaveLength(10_000);
  for (const task of tasks) expect(task, task.id).toEqual(before.get(task.id));
  for (const [status, n] of Object.entries(byStatus)) {
    expect(n, status).toBe([...before.values()].filter((t) => t.status === status).length);
  }

  const keys = await scanKeys(ctx.redis, `${ctx.prefix}:{docs}:*`);
  for (let i = 0; i < keys.length; i += 1000) await ctx.redis.unlink(...keys.slice(i, i + 1000));
  const report = await backups.restoreFromSqliteBackup();
  expect(report.restoredKeys).toBe(keys.length);
  const after = await readAll(store, ids);
  for (const id of ids) expect(after.get(id), id).toEqual(before.get(id));
}, 60_000);
