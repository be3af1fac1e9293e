/**
 * Redis's own work per task, counted instead of timed: redis-server runs under valgrind's
 * callgrind, which counts the instructions it executes. A count does not depend on the
 * machine's load or clock speed and repeats to within 1%, where throughput on a shared 2-core
 * machine varies by a third from run to run. COVINA and BullMQ run the same workloads on the
 * same server binary, one after the other, in this process.
 *
 * 1. Bulk enqueue with priorities, 500 per call: addTasks / Queue.addBulk.
 * 2. Claim + complete with 100 in flight: claimTasks 4x25 and updateTaskStatus / a BullMQ
 *    Worker of concurrency 100 with an empty processor.
 * 3. A Worker with a no-op handler at concurrency 8 and 32, everything else at its defaults.
 * 4. An idle poll: a claim that finds nothing.
 *
 *   pnpm bench redis-cost    # BENCH_TASKS=3000; needs valgrind (Debian: apt install valgrind)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, resolveBinary } from '@covina/embedded-server';
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { printTable } from './lib/index.js';

const { PipelineStore } = await import('@covina/core');
const { Worker } = await import('@covina/task-coordinator');

const TASKS = Number(process.env.BENCH_TASKS ?? 3_000);
const PAYLOAD = { fileId: 'f_0001', path: '/data/inbox/2024/report.pdf', mimeType: 'application/pdf' };

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  process.stdout.write('valgrind is not installed: skipped (Debian: apt install valgrind)\n');
  process.exit(0);
}

// ---- redis-server under callgrind ----------------------------------------------------------------

const binary = await resolveBinary();
const port = await freePort();
const outDir = mkdtempSync(join(tmpdir(), 'covina-redis-cost-'));
const server: ChildProcess = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    `--callgrind-out-file=${join(outDir, 'cg.%p')}`,
    binary.path,
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ],
  { stdio: 'ignore' },
);
const url = `redis://127.0.0.1:${port}`;
// Under valgrind the server takes a few seconds to listen.
for (let ready = false; !ready; ) {
  ready = await new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
    socket.unref();
  });
  if (!ready) await sleep(200);
}
const redis = new Redis(url, { maxRetriesPerRequest: null });
process.stdout.write(
  `redis-server ${binary.version} under callgrind on ${url}, ${TASKS} tasks per workload\n`,
);

let dumps = 0;
/** Redis instructions per task while `work` runs (thousands). */
async function counted(work: () => Promise<unknown>, per = TASKS): Promise<number> {
  execFileSync('callgrind_control', ['-z', String(server.pid)], { stdio: 'ignore' });
  await work();
  execFileSync('callgrind_control', ['-d', String(server.pid)], { stdio: 'ignore' });
  dumps += 1;
  const text = readFileSync(join(outDir, `cg.${server.pid}.${dumps}`), 'utf8');
  const total = Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]);
  return total / per / 1000;
}

// ---- the workloads -----------------------------------------------------------------------------------

let run = 0;
const newStore = () => new PipelineStore({ redis, pipeline: `cost${run++}`, prefix: 'bench' });
const priorityOf = (i: number) => 1 + (i % 10);

async function enqueueCovina(store: InstanceType<typeof PipelineStore>, payload: unknown = PAYLOAD) {
  await store.addTasks(
    Array.from({ length: TASKS }, (_, i) => ({
      taskType: 'extract',
      workerType: 'bench',
      priority: priorityOf(i),
      payload,
    })),
  );
}

async function enqueueBull(queue: Queue, payload: unknown = PAYLOAD) {
  for (let i = 0; i < TASKS; i += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, TASKS - i) }, (_, j) => ({
        name: 'extract',
        data: payload,
        opts: { priority: priorityOf(i + j), attempts: 3 },
      })),
    );
  }
}

async function drainCovina(store: InstanceType<typeof PipelineStore>) {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let batch = await store.claimTasks('bench', 25); batch.length > 0; ) {
        await Promise.all(
          batch.map((t) => store.updateTaskStatus(t.id, 'completed', { leaseToken: t.leaseToken })),
        );
        batch = await store.claimTasks('bench', 25);
      }
    }),
  );
}

async function workerCovina(store: InstanceType<typeof PipelineStore>, concurrency: number) {
  let done = 0;
  const worker = new Worker({ store, workerType: 'bench', concurrency, handler: async () => {} });
  await new Promise<void>((resolve) => {
    worker.on('task:done', () => {
      if (++done === TASKS) resolve();
    });
    void worker.run();
  });
  await worker.close({ deadlineMs: 0 });
}

async function workerBull(name: string, concurrency: number) {
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const worker = new BullWorker(name, async () => undefined, {
      connection: { url, maxRetriesPerRequest: null },
      concurrency,
    });
    worker.on('completed', () => {
      if (++done === TASKS) worker.close().then(() => resolve(), reject);
    });
    worker.on('error', reject);
  });
}

const rows: Array<{ workload: string; covina: number; bullmq?: number }> = [];

{
  await redis.flushdb();
  const store = newStore();
  const queue = new Queue(`cost${run++}`, { connection: redis });
  await queue.waitUntilReady();
  await store.claimTasks('warm-up', 1); // loads the scripts: not part of any workload's cost
  const covina = await counted(() => enqueueCovina(store));
  const bullmq = await counted(() => enqueueBull(queue));
  rows.push({ workload: 'bulk enqueue with priorities, 500 per call', covina, bullmq });

  rows.push({
    workload: 'claim + complete, 100 in flight',
    covina: await counted(() => drainCovina(store)),
    bullmq: await counted(() => workerBull(queue.name, 100)),
  });
  await queue.close();
}

for (const concurrency of [8, 32]) {
  await redis.flushdb();
  const store = newStore();
  await enqueueCovina(store);
  const queue = new Queue(`cost${run++}`, { connection: redis });
  await enqueueBull(queue);
  rows.push({
    workload: `Worker, no-op handler, concurrency ${concurrency}`,
    covina: await counted(() => workerCovina(store, concurrency)),
    bullmq: await counted(() => workerBull(queue.name, concurrency)),
  });
  await queue.close();
  await store.close();
}

{
  const store = newStore();
  const calls = 200;
  rows.push({
    workload: 'idle poll: a claim that finds nothing (per call)',
    covina: await counted(async () => {
      for (let i = 0; i < calls; i++) await store.claimTasks('bench', 25);
    }, calls),
  });
}

printTable(
  `Redis instructions per task, thousands (callgrind; ${TASKS} tasks; lower is better)`,
  rows.map((r) => ({
    workload: r.workload,
    COVINA: r.covina.toFixed(1),
    BullMQ: r.bullmq === undefined ? '' : r.bullmq.toFixed(1),
    'BullMQ / COVINA': r.bullmq === undefined ? '' : `${(r.bullmq / r.covina).toFixed(2)}x`,
  })),
);

await redis.quit();
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(outDir, { recursive: true, force: true });
