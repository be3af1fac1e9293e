import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, PipelineStore } from '@covina/core';

const redis = createRedis();
const store = new PipelineStore({ redis, pipeline: 'readme-worker' });
const stop = new AbortController();

async function worker(workerId: string): Promise<void> {
  await store.watchWork(['ocr']); // subscribe to wake-ups before the first claim
  while (!stop.signal.aborted) {
    const task = await store.getNextTask<{ page: number }>('ocr', { workerId, leaseMs: 30_000 });
    if (!task) {
      await store.waitForWork('ocr', { timeoutMs: 5_000, signal: stop.signal }); // no polling
      continue;
    }
    // The work; a long one calls store.extendLease(task.id, task.leaseToken) now and then.
    const text = `text of page ${task.payload?.page}`;
    await store.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken, resultData: { text } });
  }
}

const workers = [worker('worker-1'), worker('worker-2')];
const ids = await store.addTasks(
  [1, 2, 3].map((page) => ({ taskType: 'ocr', workerType: 'ocr', payload: { page } })),
);
for (let i = 0; i < 200 && (await store.getStats()).tasks.completed < ids.length; i++) await sleep(10);

stop.abort();
await Promise.all(workers);
console.log((await store.getTasks(ids)).map((task) => task.resultData)); // [{ text: 'text of page 1' }, …]

await store.destroy();
await store.close();
await redis.quit();
