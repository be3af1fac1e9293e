import { createRedis, PartitionedPipeline } from '@covina/core';

// With COVINA_REDIS_CLUSTER_NODES set this is a Redis Cluster client; it works on one server too.
const redis = createRedis();
const docs = new PartitionedPipeline({ redis, pipeline: 'readme-big', partitions: 6 });

const batchId = await docs.createBatch({ name: 'nightly' }); // exists in every partition
const fileIds = await Promise.all(
  ['a', 'b', 'c', 'd'].map((name) =>
    docs.addFileToBatch({
      batchId,
      path: `/in/${name}.txt`,
      hash: `sha-${name}`,
      size: 10,
      mimeType: 'text/plain',
    }),
  ),
);
// Each task goes to its file's partition; ids name their partition ("3.t5").
await docs.addTasks(fileIds.map((fileId) => ({ fileId, taskType: 'extract', workerType: 'pre' })));

const claimed = await docs.claimTasks('pre', 10); // spread over the partitions
for (const task of claimed) {
  await docs.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
}
const progress = await docs.getBatchProgress(batchId); // summed over the partitions
console.log(claimed.length, progress.done, progress.files.completed); // 4 true 4

await docs.destroy();
await docs.close();
await redis.quit();
