import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withOutageJournal } from '@covina/backup';
import { PipelineStore } from '@covina/core';
import { Redis } from 'ioredis';

// A client that fails fast when Redis is away (createRedis from @covina/core does, with its breaker).
const redis = new Redis(process.env.COVINA_REDIS_URL ?? 'redis://127.0.0.1:6379', {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
});
await once(redis, 'ready');
const journal = join(mkdtempSync(join(tmpdir(), 'covina-journal-')), 'outage_journal.db');
const store = withOutageJournal(new PipelineStore({ redis, pipeline: 'journal-demo' }), { path: journal });
const batchId = await store.createBatch({ name: 'inbox' });

redis.disconnect();
await once(redis, 'end'); // Redis is unreachable from here on
const fileId = await store.addFileToBatch({
  batchId,
  path: '/inbox/late.pdf',
  hash: 'sha256:77ab10',
  size: 1_024,
  mimeType: 'application/pdf',
});
const [taskId] = await store.addTasks([{ fileId, taskType: 'extract', workerType: 'pre' }]);
console.log(fileId.startsWith('j~'), store.journalStatus().pending); // true 2 (on disk, acknowledged)

await redis.connect(); // Redis is back: the journal is replayed in order, exactly once
await store.drained();
console.log((await store.getFileById(fileId))?.path, (await store.getTask(taskId!))?.status); // /inbox/late.pdf ready
await store.close();
await redis.quit();
