import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { useRedis } from '@covina/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  BackupCorruptError,
  BackupFile,
  BackupManager,
  BackupNotFoundError,
  BackupSchemaError,
  SCHEMA_VERSION,
} from '../src/index.js';
import { useTempDir } from './helpers.js';

describe('backup files', () => {
  const ctx = useRedis();
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

  async function backedUp(keys = 50) {
    const batch = ctx.redis.pipeline();
    for (let i = 0; i < keys; i++) batch.hset(`${ctx.prefix}:h:${i}`, 'n', i, 'text', 'x'.repeat(i * 10));
    await batch.exec();
    const path = `${await dir.create()}/redis_pipeline_backup.db`;
    const manager = new BackupManager({ redis: ctx.redis, prefixes: [`${ctx.prefix}:`], path, keep: 2 });
    const result = await manager.forceBackupNow();
    return { manager, path, result };
  }

  it('are self-contained, versioned, and pass their own verification', async () => {
    const { manager, path, result } = await backedUp();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(db.prepare("SELECT value FROM backup_metadata WHERE key = 'key_count'").pluck().get()).toBe('50');
    db.close();
    const report = manager.verifyBackup();
    expect(report).toMatchObject({ ok: true, problems: [], digest: result.checksum });
    expect(report.counts.backup_keys).toBe(50);
    const stats = manager.getBackupStats();
    expect(stats).toMatchObject({
      ok: true,
      keyCount: 50,
      checksum: result.checksum,
      bytes: statSync(path).size,
    });
    expect(stats.lastBackupAge).toBeGreaterThanOrEqual(0);
  });

  it('detect a flipped byte in a row, and restore refuses the file without writing anything', async () => {
    const { manager, path } = await backedUp();
    const db = new Database(path);
    db.prepare(
      'UPDATE backup_keys SET payload = CAST(replace(CAST(payload AS TEXT), ?, ?) AS BLOB) WHERE key = ?',
    ).run('x', 'y', Buffer.from(`${ctx.prefix}:h:7`));
    db.close();
    const report = manager.verifyBackup();
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/checksum mismatch/);

    await ctx.redis.set(`${ctx.prefix}:h:3`, 'must survive');
    await expect(manager.restoreFromSqliteBackup()).rejects.toBeInstanceOf(BackupCorruptError);
    expect(await ctx.redis.get(`${ctx.prefix}:h:3`)).toBe('must survive');
  });

  it('detect missing rows through the manifest', async () => {
    const { manager, path } = await backedUp();
    const db = new Database(path);
    expect(
      db.prepare('DELETE FROM backup_keys WHERE key = ?').run(Buffer.from(`${ctx.prefix}:h:3`)).changes,
    ).toBe(1);
    db.close();
    expect(manager.verifyBackup().problems.join('\n')).toMatch(/backup_keys: manifest says 50 rows/);
  });

  it('refuse a damaged SQLite file with a typed error', async () => {
    const { manager, path } = await backedUp(400);
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    // Whole pages garbled (a few bytes could land in a page's unused space, harmlessly).
    writeSync(fd, Buffer.alloc(65_536, 0xab), 0, 65_536, Math.floor(size / 2));
    closeSync(fd);
    const error = await manager.restoreFromSqliteBackup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupCorruptError);
    expect((error as BackupCorruptError).code).toBe('E_BACKUP_CORRUPT');
    writeFileSync(path, 'not a database at all, just text '.repeat(100));
    expect(() => BackupFile.open(path)).toThrow(BackupCorruptError);
  });

  it('refuse a file from a newer schema, naming both versions', async () => {
    const { manager, path } = await backedUp();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const error = await manager.restoreFromSqliteBackup({ dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupSchemaError);
    expect((error as BackupSchemaError).context).toMatchObject({
      fileVersion: SCHEMA_VERSION + 1,
      supportedVersion: SCHEMA_VERSION,
    });
  });

  it('report a missing backup with a typed error', async () => {
    const manager = new BackupManager({
      redis: ctx.redis,
      prefixes: [`${ctx.prefix}:`],
      path: `${await dir.create()}/none.db`,
    });
    await expect(manager.restoreFromSqliteBackup()).rejects.toBeInstanceOf(BackupNotFoundError);
    expect(manager.getBackupStats()).toMatchObject({ ok: null, lastBackupAt: null });
  });

  it('rotate: keep the newest N, the current name always on the newest', async () => {
    const { manager, path } = await backedUp(5);
    for (let i = 0; i < 3; i++) {
      await ctx.redis.set(`${ctx.prefix}:n`, i);
      await manager.forceBackupNow();
    }
    const backups = manager.listBackups();
    expect(backups).toHaveLength(2);
    expect(backups[0]?.current).toBe(true);
    expect(backups[0]?.keyCount).toBe(6);
    expect(readFileSync(path).equals(readFileSync(backups[0]!.path))).toBe(true);
    expect(backups[0]!.takenAt.getTime()).toBeGreaterThan(backups[1]!.takenAt.getTime());
  });

  it('dry run: reports creates, overwrites, unchanged and deletes, and writes nothing', async () => {
    const { manager } = await backedUp(10);
    await ctx.redis.del(`${ctx.prefix}:h:0`, `${ctx.prefix}:h:1`);
    await ctx.redis.hset(`${ctx.prefix}:h:2`, 'n', 'changed');
    await ctx.redis.set(`${ctx.prefix}:new`, 'not in the backup');
    const plan = await manager.restoreFromSqliteBackup({ dryRun: true });
    expect(plan.scopes).toEqual([
      expect.objectContaining({
        scope: `prefix:${ctx.prefix}:`,
        create: 2,
        overwrite: 1,
        unchanged: 7,
        delete: 1,
      }),
    ]);
    expect(plan.restoredKeys).toBe(0);
    expect(await ctx.redis.exists(`${ctx.prefix}:h:0`)).toBe(0);
    expect(await ctx.redis.get(`${ctx.prefix}:new`)).toBe('not in the backup');

    const done = await manager.restoreFromSqliteBackup();
    expect(done).toMatchObject({ restoredKeys: 10, deletedKeys: 1 });
    expect(await ctx.redis.hget(`${ctx.prefix}:h:2`, 'n')).toBe('2');
    expect(await ctx.redis.exists(`${ctx.prefix}:new`)).toBe(0);
  });
});
