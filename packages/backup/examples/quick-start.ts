import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupManager } from '@covina/backup';
import { PipelineStore } from '@covina/core';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.COVINA_REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = new PipelineStore({ redis, pipeline: 'quick-start' });
const batchId = await store.createBatch({ name: 'inbox' });
const fileId = await store.addFileToBatch({
  batchId,
  path: '/inbox/report.pdf',
  hash: 'sha256:9f2c41',
  size: 48_213,
  mimeType: 'application/pdf',
});
await store.addTasks([
  { fileId, taskType: 'extract', workerType: 'pre', priority: 5 },
  { fileId, taskType: 'index', workerType: 'nlp', afterTasks: ['extract'] },
]);

// One consistent snapshot of every key of the pipeline, in one SQLite file, now and every 5 minutes.
const dir = mkdtempSync(join(tmpdir(), 'covina-backups-'));
const backups = new BackupManager({ redis, store, path: join(dir, 'redis_pipeline_backup.db') });
await backups.start();
const backup = await backups.forceBackupNow();
console.log(backup.taskCount, backup.tasksByStatus); // 2 { ready: 1, waiting: 1 }

// Disaster: every task record is gone. A dry run says what a restore would do, then restore.
await redis.unlink(store.keys.tasks);
const plan = await backups.restoreFromSqliteBackup({ dryRun: true });
console.log(plan.scopes[0]?.create, plan.scopes[0]?.delete); // 1 0
await backups.restoreFromSqliteBackup();
const tasks = await store.getTasksForFile(fileId);
console.log(tasks.map((t) => `${t.taskType}:${t.status}`)); // [ 'extract:ready', 'index:waiting' ]

await backups.stop(); // ends the schedule with a last backup
console.log(backups.listBackups().length, backups.getBackupStats().ok); // 2 true
await redis.quit();
