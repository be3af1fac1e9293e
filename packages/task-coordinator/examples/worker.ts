import { PipelineStore } from '@covina/core';
import { startRedis } from '@covina/embedded-server';
import { Coordinator, Worker } from '@covina/task-coordinator';
import { Redis } from 'ioredis';

// Any Redis 6.2+ (or a Redis Cluster client) works; here a throwaway embedded server.
const server = await startRedis();
const redis = new Redis(server.url);
const store = new PipelineStore({ redis, pipeline: 'docs' });

// A worker: claims `ocr` tasks, four at a time, renews their leases while they run, and
// writes each result under its lease. It registers itself, heartbeats, and recovers the
// tasks of workers that die (one sweeper at a time across processes).
const worker = new Worker<{ document_uuid: string }, { pages: number }>({
  store,
  workerType: 'ocr',
  concurrency: 4,
  timeoutMs: 60_000, // an attempt that takes longer is aborted and retried
  handler: async (task, ctx) => {
    const pages = await countPages(task.payload!.document_uuid, ctx.signal);
    await ctx.reportProgress(100);
    return { pages }; // stored as the task's resultData
  },
});
worker.on('error', (error) => console.error('worker', error)); // e.g. Redis away: it retries by itself
await worker.run();
// In a worker process: process.once('SIGTERM', () => worker.close({ deadlineMs: 10_000 }));

// The operator's side: submit tasks, look at the cluster.
const coordinator = new Coordinator({ store });
const done = new Promise<void>((resolve) => {
  let left = 3;
  worker.on('task:done', () => --left === 0 && resolve());
});
const ids = await Promise.all(
  ['d-1', 'd-2', 'd-3'].map((uuid) =>
    coordinator.submitTask({ taskType: 'ocr', taskData: { document_uuid: uuid } }),
  ),
);
await done;
const stats = await coordinator.getClusterStats();
const first = await store.getTask(ids[0]!);
console.log(stats.workers.byType.ocr?.alive, stats.tasks.completed, first?.resultData); // 1 3 { pages: 12 }

await worker.close({ deadlineMs: 10_000 }); // finishes what runs, gives back the rest, deregisters
await coordinator.close();
await store.close();
redis.disconnect();
await server.stop();

async function countPages(documentUuid: string, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted(); // a real one passes `signal` on to fetch, child processes…
  return documentUuid.length > 0 ? 12 : 0;
}
