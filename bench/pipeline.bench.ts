/**
 * PipelineStore (@covina/core) beside BullMQ, the queue a Node user would pick instead, on one
 * embedded redis-server (the same binary for both), in one process.
 *
 * 1. Bulk enqueue with priorities, tasks/s: one addTasks call (the store sends chunks of 500,
 *    pipelined) vs Queue.addBulk all at once (one MULTI) and 500 per call.
 * 2. Claim + complete with 100 in flight, tasks/s: 100 getNextTask loops, and claimTasks in
 *    batches of 25, vs a BullMQ Worker with concurrency 100 and an empty processor.
 * 3. Read one task by id with 1,000 in flight (ioredis pipelines them), reads/s (vs getJob).
 * 4. Redis memory per queued task: INFO used_memory over 100,000 tasks with the same payload.
 *
 *   pnpm bench pipeline              # BENCH_TASKS=20000 per run by default (1-3)
 */
import { resolveBinary, silentLogger, startRedis } from '@covina/embedded-server';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { opsPerSec, printTable, sampleInterleaved, summarize, throughput } from './lib/index.js';

const { PipelineStore } = await import('@covina/core');
type Store = InstanceType<typeof PipelineStore>;

const TASKS = Number(process.env.BENCH_TASKS ?? 20_000);
const MEMORY_TASKS = 100_000;
const CHUNK = 500;
const IN_FLIGHT = 100;

const binary = await resolveBinary();
const server = await startRedis({ binary: binary.path, logger: silentLogger });
process.stdout.write(
  `redis-server ${binary.version} (${binary.source}) on ${server.url}, ${TASKS} tasks per run\n`,
);
// BullMQ workers require maxRetriesPerRequest: null.
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
const connection = { host: server.host, port: server.port, maxRetriesPerRequest: null };

const PAYLOAD = { fileId: 'f_0001', path: '/data/inbox/2024/report.pdf', mimeType: 'application/pdf' };
let run = 0;
const newStore = (): Store => new PipelineStore({ redis, pipeline: `bench${run++}`, prefix: 'bench' });
const newQueue = () => new Queue(`bench${run++}`, { connection: redis });
// The bench's own server: flushing it between runs touches nobody else.
const flush = () => redis.flushdb();
const priorityOf = (i: number) => 1 + (i % 10);

/** One addTasks call: the store splits it into chunks of 500 and pipelines them. */
async function enqueueCovina(store: Store, n: number, payload: unknown = PAYLOAD) {
  await store.addTasks(
    Array.from({ length: n }, (_, i) => ({
      taskType: 'extract',
      workerType: 'bench',
      priority: priorityOf(i),
      payload,
    })),
  );
}

/** addBulk all at once (one MULTI), or in round trips of `chunk` jobs. */
async function enqueueBull(queue: Queue, n: number, payload: unknown = PAYLOAD, chunk = n) {
  for (let i = 0; i < n; i += chunk) {
    const size = Math.min(chunk, n - i);
    await queue.addBulk(
      Array.from({ length: size }, (_, j) => ({
        name: 'extract',
        data: payload,
        opts: { priority: priorityOf(i + j), attempts: 3 },
      })),
    );
  }
}

const rate = (times: number[]) => Math.round((TASKS * 1000) / summarize(times).median);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

// 1. Bulk enqueue.
let store = newStore();
let queue = newQueue();
const resetQueue = async () => {
  await queue.close();
  await flush();
  queue = newQueue();
};
const enqueue = await sampleInterleaved(
  3,
  {
    'COVINA addTasks': {
      run: () => enqueueCovina(store, TASKS),
      after: async () => {
        await flush();
        store = newStore();
      },
    },
    'BullMQ addBulk (all at once)': { run: () => enqueueBull(queue, TASKS), after: resetQueue },
    'BullMQ addBulk (500 per call)': {
      run: () => enqueueBull(queue, TASKS, PAYLOAD, CHUNK),
      after: resetQueue,
    },
  },
  { warmup: 1 },
);
await queue.close();

// 2. Claim + complete, 100 in flight. The queues are filled (untimed) before each round.
async function drainSingle(s: Store) {
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let task = await s.getNextTask('bench'); task; task = await s.getNextTask('bench')) {
        await s.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken });
      }
    }),
  );
}

async function drainBatched(s: Store) {
  // 4 claimers of 25: 100 tasks in flight, each completed on its own.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (
        let batch = await s.claimTasks('bench', 25);
        batch.length > 0;
        batch = await s.claimTasks('bench', 25)
      ) {
        await Promise.all(
          batch.map((task) => s.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken })),
        );
      }
    }),
  );
}

async function drainBull(name: string) {
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(name, async () => undefined, { connection, concurrency: IN_FLIGHT });
    worker.on('completed', () => {
      done += 1;
      if (done === TASKS) worker.close().then(() => resolve(), reject);
    });
    worker.on('error', reject);
  });
}

let single = newStore();
let batched = newStore();
let bullName = `bench${run++}`;
let bullQueue = new Queue(bullName, { connection: redis });
const fill = async () => {
  await flush();
  single = newStore();
  batched = newStore();
  bullName = `bench${run++}`;
  await bullQueue.close();
  bullQueue = new Queue(bullName, { connection: redis });
  await enqueueCovina(single, TASKS);
  await enqueueCovina(batched, TASKS);
  await enqueueBull(bullQueue, TASKS);
};
await fill();
const claim = await sampleInterleaved(
  3,
  {
    'COVINA getNextTask x100': { run: () => drainSingle(single) },
    'COVINA claimTasks 4x25': { run: () => drainBatched(batched) },
    'BullMQ Worker c=100': { run: () => drainBull(bullName), after: fill },
  },
  { warmup: 1 },
);
await bullQueue.close();

// 3. Reads by id, in alternating rounds so machine noise hits both alike.
await flush();
const readStore = newStore();
const readQueue = newQueue();
await enqueueCovina(readStore, TASKS);
await enqueueBull(readQueue, TASKS);
const taskIds = (await readStore.listTasks({ limit: 10_000 })).tasks.map((t) => t.id);
const jobIds = (await readQueue.getJobs(['prioritized'], 0, 9_999)).map((j) => j.id!);
let k = 0;
const reads: Record<string, number[]> = { 'COVINA getTask': [], 'BullMQ getJob': [] };
for (let round = 0; round < 3; round++) {
  const a = await throughput(1500, () => readStore.getTask(taskIds[k++ % taskIds.length]!), {
    concurrency: 1000,
  });
  reads['COVINA getTask']!.push(opsPerSec(a.ops, a.elapsedMs));
  const b = await throughput(1500, () => readQueue.getJob(jobIds[k++ % jobIds.length]!), {
    concurrency: 1000,
  });
  reads['BullMQ getJob']!.push(opsPerSec(b.ops, b.elapsedMs));
}
await readQueue.close();

// 4. Memory per queued task.
async function usedMemory(): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}
async function memoryPerTask(enqueueAll: () => Promise<unknown>): Promise<number> {
  await flush();
  await new Promise((r) => setTimeout(r, 200));
  const before = await usedMemory();
  await enqueueAll();
  await new Promise((r) => setTimeout(r, 200));
  return ((await usedMemory()) - before) / MEMORY_TASKS;
}
const LARGER = {
  ...PAYLOAD,
  size: 1_048_576,
  lang: 'en',
  tags: ['invoice', 'q3', 'finance'],
  pages: 12,
  owner: 'ops',
};
const memoryRows = [];
for (const [label, payload] of [
  ['small payload', PAYLOAD],
  ['larger payload', LARGER],
] as const) {
  const covina = await memoryPerTask(() => enqueueCovina(newStore(), MEMORY_TASKS, payload));
  const q = newQueue();
  const bull = await memoryPerTask(() => enqueueBull(q, MEMORY_TASKS, payload, CHUNK));
  await q.close();
  memoryRows.push({
    payload: `${label} (${JSON.stringify(payload).length} B JSON)`,
    'COVINA B/task': Math.round(covina),
    'BullMQ B/job': Math.round(bull),
    'COVINA / BullMQ': ratio(covina, bull),
  });
}
await flush();

const enqueueRates = Object.fromEntries(Object.entries(enqueue).map(([name, times]) => [name, rate(times)]));
printTable(
  `1. bulk enqueue with priorities (${TASKS} tasks, median of 3)`,
  Object.entries(enqueueRates).map(([contender, r]) => ({ contender, 'tasks/s': r })),
);
printTable(
  `2. claim + complete, one process, ${IN_FLIGHT} in flight (${TASKS} tasks, median of 3)`,
  Object.entries(claim).map(([contender, times]) => ({ contender, 'tasks/s': rate(times) })),
);
printTable(
  '3. read one task by id, 1,000 in flight (median of 3 alternating 1.5 s rounds)',
  Object.entries(reads).map(([contender, r]) => ({ contender, 'reads/s': Math.round(summarize(r).median) })),
);
printTable(
  `4. Redis memory per queued task (${MEMORY_TASKS.toLocaleString('en-US')} tasks, priorities 1-10)`,
  memoryRows,
);

const bestBullEnqueue = Math.max(
  enqueueRates['BullMQ addBulk (all at once)']!,
  enqueueRates['BullMQ addBulk (500 per call)']!,
);
const bullClaim = rate(claim['BullMQ Worker c=100']!);
process.stdout.write(
  `\nCOVINA / BullMQ: enqueue ${ratio(enqueueRates['COVINA addTasks']!, bestBullEnqueue)} (vs BullMQ's faster way), ` +
    `claim+complete ${ratio(rate(claim['COVINA getNextTask x100']!), bullClaim)} (getNextTask) / ` +
    `${ratio(rate(claim['COVINA claimTasks 4x25']!), bullClaim)} (claimTasks), ` +
    `reads ${ratio(summarize(reads['COVINA getTask']!).median, summarize(reads['BullMQ getJob']!).median)}\n`,
);

await redis.quit();
await server.stop();
