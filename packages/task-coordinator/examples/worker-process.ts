/**
 * A worker process: registers itself, heartbeats, and runs a dead-worker sweeper (every worker
 * process runs one; only one sweeps at a time). Prints one JSON line per event.
 *
 *   COVINA_REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/worker-process.ts
 */
import { createWorkerRegistry } from '@covina/task-coordinator';
import { Redis } from 'ioredis';

const heartbeatMs = Number(process.env.COVINA_HEARTBEAT_MS ?? 5_000);
const redis = new Redis(process.env.COVINA_REDIS_URL ?? 'redis://127.0.0.1:6379');
const registry = createWorkerRegistry({
  redis,
  namespace: process.env.COVINA_PIPELINE ?? 'docs',
  prefix: process.env.COVINA_PREFIX ?? 'covina',
});
const say = (event: string, fields: object = {}) => console.log(JSON.stringify({ event, ...fields }));

const me = await registry.registerWorker({
  workerTypes: ['nlp'],
  concurrency: 2,
  version: '1.0.0',
  heartbeatMs,
});
me.signal.addEventListener('abort', () => say('evicted', { id: me.id }));

registry.startSweeper({
  intervalMs: heartbeatMs,
  // Wire the task store here: `await store.releaseTasksOfWorker(worker.id)`.
  onWorkerDead: (worker) => say('worker-dead', { id: worker.id, missedHeartbeats: worker.missedHeartbeats }),
});
say('registered', { id: me.id });

// Heartbeat and sweeper timers are unref'd: the worker's own work keeps the process alive.
const work = setInterval(() => me.setStatus({ at: Date.now() }), heartbeatMs);
process.once('SIGTERM', async () => {
  clearInterval(work);
  await registry.close(); // deregisters: a clean exit needs no recovery
  redis.disconnect();
  say('stopped', { id: me.id });
});
