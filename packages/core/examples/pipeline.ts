import { createRedis, PipelineStore } from '@covina/core';

const redis = createRedis();
const store = new PipelineStore({ redis, pipeline: 'readme-docs' });

const batchId = await store.createBatch({ name: 'inbox' });
const fileId = await store.addFileToBatch({
  batchId,
  path: '/inbox/report.pdf',
  hash: 'sha256:9f86d081884c7d65',
  size: 48_213,
  mimeType: 'application/pdf',
});
// Two stages of one file: nlp_processing waits until preprocessing has completed.
await store.addTaskToBatch({ fileId, taskType: 'preprocessing', workerType: 'pre', priority: 5 });
await store.addTaskToBatch({
  fileId,
  taskType: 'nlp_processing',
  workerType: 'nlp',
  priority: 5,
  afterTasks: ['preprocessing'],
  payload: { language: 'en' },
});
console.log(await store.getNextTask('nlp')); // null: its parent has not completed

// A worker claims a task under a lease, then completes it with the lease token.
const pre = await store.getNextTask('pre', { workerId: 'worker-1', leaseMs: 30_000 });
if (!pre) throw new Error('expected the preprocessing task');
await store.updateTaskStatus(pre.id, 'completed', { leaseToken: pre.leaseToken, resultData: { pages: 12 } });

const nlp = await store.getNextTask('nlp', { workerId: 'worker-2' });
if (!nlp) throw new Error('expected the nlp task');
console.log(nlp.taskType, nlp.attempt, nlp.payload); // nlp_processing 1 { language: 'en' }
await store.updateTaskStatus(nlp.id, 'completed', {
  leaseToken: nlp.leaseToken,
  resultData: { entities: 3 },
});

const progress = await store.getBatchProgress(batchId);
console.log(progress.done, progress.percent, progress.tasks.completed); // true 100 2
console.log((await store.getFileById(fileId))?.status); // completed
console.log((await store.getTask(pre.id))?.resultData); // { pages: 12 }

await store.destroy(); // removes the pipeline's keys (a demo should not leave any)
await store.close();
await redis.quit();
