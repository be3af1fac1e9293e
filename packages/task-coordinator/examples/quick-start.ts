import { startRedis } from '@covina/embedded-server';
import { createLockManager, createWorkerRegistry } from '@covina/task-coordinator';
import { Redis } from 'ioredis';

// Any Redis 6.2+ (or a Redis Cluster client) works; here a throwaway embedded server.
const server = await startRedis();
const redis = new Redis(server.url);
const locks = createLockManager({ redis });

// A mutex: one holder at a time across every process, renewed while the work runs.
const pages = await locks.withLock('nightly-report', async (lock) => {
  // Fencing: the resource refuses a holder whose lease ran out while it was stalled.
  await locks.assertFence('report.pdf', lock.fence);
  return renderReport(lock.signal); // lock.signal aborts if the lock is lost
});

// A semaphore: at most two OCR jobs at once, each permit a lease of its own.
const ocr = locks.semaphore('ocr-engine', 2);
const texts = await Promise.all(['a.pdf', 'b.pdf', 'c.pdf'].map((f) => ocr.withPermit(() => `text of ${f}`)));

// Workers heartbeat; a sweeper in every process hands each dead worker to one callback, once.
const registry = createWorkerRegistry({ redis, namespace: 'docs' });
const worker = await registry.registerWorker({ workerTypes: ['ocr'], concurrency: 2, version: '1.0.0' });
registry.startSweeper({
  onWorkerDead: async (dead) => console.log('recover the tasks of', dead.id), // store.releaseTasksOfWorker(dead.id)
});
const [me] = await registry.listWorkers();
console.log(pages, texts.length, me?.id === worker.id, me?.state); // 12 3 true alive

await registry.close(); // stops the sweeper, deregisters the worker
await locks.close();
redis.disconnect();
await server.stop();

async function renderReport(signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  return 12;
}
