import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { useRedis } from '@covina/testkit';
import { describe, expect, it } from 'vitest';
import { BackupFile, BackupManager } from '../src/index.js';
import { spawnTs, waitForLine } from './child.js';
import { useTempDir } from './helpers.js';

describe('a process killed in the middle of a backup', () => {
  const ctx = useRedis();
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };

  it.each(['replication', 'tracked'] as const)(
    'leaves the previous backup intact (%s)',
    async (method) => {
      // ~13 MB of incompressible values: the backup takes long enough to be killed half-way.
      for (let i = 0; i < 4; i++) {
        const batch = ctx.redis.pipeline();
        for (let j = 0; j < 400; j++) batch.set(`${ctx.prefix}:k:${i}:${j}`, randomBytes(8_000));
        await batch.exec();
      }
      const base = await dir.create();
      const path = `${base}/redis_pipeline_backup.db`;
      const manager = new BackupManager({ redis: ctx.redis, prefixes: [`${ctx.prefix}:`], path, method });
      const first = await manager.forceBackupNow();

      await ctx.redis.set(`${ctx.prefix}:changed`, 'after the first backup');
      const child = spawnTs(new URL('./fixtures/backup-child.ts', import.meta.url), [
        ctx.url,
        ctx.prefix,
        path,
        method,
      ]);
      await waitForLine(child, (line) => line === 'progress');
      child.kill('SIGKILL');
      await once(child, 'exit');

      // The kill came mid-way: the child's temporary file is still there, the current backup is not its.
      expect(
        readdirSync(base).some((f) => f.startsWith('.redis_pipeline_backup.') && f.includes('.tmp')),
      ).toBe(true);
      const file = BackupFile.open(path);
      expect(file.metadata().backup_id).toBe(first.backupId);
      expect(file.verify().ok).toBe(true);
      file.close();
      expect(manager.listBackups().filter((b) => b.readable)).toHaveLength(1);

      // The next backup takes over the dead process's lock and sweeps its leftovers.
      const second = await manager.forceBackupNow();
      expect(second.keyCount).toBe(first.keyCount + 1);
      expect(readdirSync(base).filter((f) => f.startsWith('.') || f.endsWith('.lock'))).toEqual([]);
      expect(manager.verifyBackup().ok).toBe(true);
    },
    60_000,
  );
});
