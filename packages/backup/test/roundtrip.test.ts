import { scanKeys, useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { BackupFile, BackupManager } from '../src/index.js';
import { logicalValue, useTempDir } from './helpers.js';
import { makeStore, readAll, seedPipeline } from './pipeline-fixture.js';

describe.each(['replication', 'tracked'] as const)('backup and restore of a pipeline (%s)', (method) => {
  const ctx = useRedis();
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

  it('restores every task, file, queue, dependency and lease exactly', async () => {
    const store = makeStore(ctx.redis, ctx.prefix);
    const ids = await seedPipeline(store, 120);
    const before = await readAll(store, ids);
    const statuses = new Set([...before.values()].map((t) => t.status));
    expect([...statuses].sort()).toEqual([
      'active',
      'cancelled',
      'completed',
      'delayed',
      'failed',
      'ready',
      'waiting',
    ]);
    const scopePrefix = `${ctx.prefix}:{docs}:`;
    const keys = await scanKeys(ctx.redis, `${scopePrefix}*`);
    const values = new Map<string, unknown>();
    for (const key of keys) values.set(key, await logicalValue(ctx.redis, key));

    const path = `${await dir.create()}/backups/redis_pipeline_backup.db`;
    const manager = new BackupManager({ redis: ctx.redis, store, path, method });
    const result = await manager.forceBackupNow();
    expect(result.taskCount).toBe(ids.length);
    expect(result.keyCount).toBe(keys.length);
    expect(result.nodes.map((n) => n.method)).toEqual([method]);

    // The rows describe the same tasks as the store does, field by field.
    const file = BackupFile.open(path);
    const tasks = [...file.tasks('docs')];
    const files = file.files('docs');
    const batches = file.batches('docs');
    const byStatus = file.tasksByStatus();
    file.close();
    expect(tasks).toHaveLength(ids.length);
    for (const task of tasks) expect(task, task.id).toEqual(before.get(task.id));
    for (const [status, n] of Object.entries(byStatus)) {
      expect(n, status).toBe([...before.values()].filter((t) => t.status === status).length);
    }
    expect(files).toHaveLength(120);
    for (const f of files) expect(f).toEqual(await store.getFileById(String(f.id)));
    expect(batches).toEqual([await store.getBatch(String(batches[0]?.id))]);

    // Wipe the pipeline, restore, and compare every key's value.
    await ctx.redis.unlink(...keys);
    const report = await manager.restoreFromSqliteBackup();
    expect(report.restoredKeys).toBe(keys.length);
    expect(await scanKeys(ctx.redis, `${scopePrefix}*`)).toEqual(keys);
    for (const key of keys) expect(await logicalValue(ctx.redis, key), key).toEqual(values.get(key));
    const after = await readAll(store, ids);
    for (const id of ids) expect(after.get(id), id).toEqual(before.get(id));

    // And the pipeline runs on: claiming gives ready tasks in priority order, leases are valid.
    const claimed = await store.claimTasks('pre', 5, { workerId: 'after-restore' });
    expect(claimed.length).toBeGreaterThan(0);
    for (const task of claimed) expect(before.get(task.id)?.status).toBe('ready');
    const active = [...before.values()].find((t) => t.status === 'active')!;
    expect((await store.getTask(active.id))?.leaseExpiresAt).toBe(active.leaseExpiresAt);
  });
});
