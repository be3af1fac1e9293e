/**
 * The Worker runner (@covina/task-coordinator) beside BullMQ's Worker, the runner a Node user
 * would pick instead, on one embedded redis-server (the same binary for both). Workers run in
 * child processes started from this file (BENCH_ROLE), as in production.
 *
 * 1. End-to-end throughput: BENCH_TASKS queued tasks with a no-op handler, processed by 1 worker
 *    process of concurrency 32 and by 4 processes of concurrency 8: tasks/s from "go" to the last
 *    completion. COVINA keeps its defaults (registry, heartbeats, leases, events); BullMQ its own.
 * 2. Failover: a worker is killed with SIGKILL in the middle of a task; how long until the task
 *    runs in another process. COVINA with heartbeatMs 500 (lease 5 s), with and without its
 *    liveness probe; BullMQ with the same 5 s lock and a stalled-job check every 500 ms.
 *
 *   pnpm bench worker    # BENCH_TASKS=20000 BENCH_RUNS=3 BENCH_FAILOVERS=6 BENCH_PARTS=throughput,failover
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { printComparison, printTable, summarize } from './lib/index.js';

const { PipelineStore } = await import('@covina/core');
const { Worker } = await import('@covina/task-coordinator');
const { Queue, Worker: BullWorker } = await import('bullmq');
const { Redis } = await import('ioredis');

type System = 'covina' | 'bullmq';
type Message =
  | { type: 'ready' }
  | { type: 'count'; done: number }
  | { type: 'start'; taskId: string; at: number }
  | { type: 'go' }
  | { type: 'stop' };

const PREFIX = 'bench';
const QUEUE = 'bench';
const HEARTBEAT_MS = 500;
const LEASE_MS = 5_000;

// ---- child: one worker process -----------------------------------------------------------------

async function child(): Promise<void> {
  const system = process.env.BENCH_SYSTEM as System;
  const mode = process.env.BENCH_MODE as 'noop' | 'hang' | 'report';
  const concurrency = Number(process.env.BENCH_CONCURRENCY);
  const url = process.env.BENCH_REDIS_URL!;
  const send = (message: Message) => {
    if (process.connected) process.send!(message);
  };
  // An orphan (the benchmark died) must not linger.
  process.on('disconnect', () => process.exit(0));
  let done = 0;

  const handle = async (taskId: string, signal?: AbortSignal) => {
    if (mode === 'noop') return;
    send({ type: 'start', taskId, at: Date.now() });
    if (mode === 'hang') await new Promise((resolve) => signal?.addEventListener('abort', resolve));
  };

  let start: () => Promise<void>;
  let stop: () => Promise<void>;
  if (system === 'covina') {
    const redis = new Redis(url);
    const store = new PipelineStore({ redis, pipeline: QUEUE, prefix: PREFIX });
    const worker = new Worker({
      store,
      workerType: 'bench',
      concurrency,
      ...(mode === 'noop' ? {} : { heartbeatMs: HEARTBEAT_MS, leaseMs: LEASE_MS }),
      livenessProbe: process.env.BENCH_PROBE !== '0',
      handler: (task, ctx) => handle(task.id, ctx.signal),
    });
    worker.on('task:done', () => void done++);
    start = () => worker.run();
    stop = async () => {
      await worker.close({ deadlineMs: 0 });
      await store.close();
      redis.disconnect();
    };
  } else {
    const connection = { url, maxRetriesPerRequest: null };
    const worker = new BullWorker(QUEUE, (job) => handle(job.id!), {
      connection,
      concurrency,
      autorun: false,
      ...(mode === 'noop' ? {} : { lockDuration: LEASE_MS, stalledInterval: HEARTBEAT_MS }),
    });
    worker.on('completed', () => void done++);
    start = async () => void worker.run();
    stop = () => worker.close(true);
  }
  let counter: NodeJS.Timeout | undefined;
  process.on('message', async (message: Message) => {
    if (message.type === 'go') {
      await start();
      counter = setInterval(() => send({ type: 'count', done }), 20);
    } else if (message.type === 'stop') {
      clearInterval(counter);
      await stop();
      process.exit(0);
    }
  });
  send({ type: 'ready' });
}

if (process.env.BENCH_ROLE === 'worker') {
  await child();
} else {
  await parent();
}

// ---- parent: the benchmark -----------------------------------------------------------------------

async function parent(): Promise<void> {
  const { resolveBinary, silentLogger, startRedis } = await import('@covina/embedded-server');
  const TASKS = Number(process.env.BENCH_TASKS ?? 20_000);
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const FAILOVERS = Number(process.env.BENCH_FAILOVERS ?? 6);
  const TOTAL_CONCURRENCY = 32;

  const binary = await resolveBinary();
  const server = await startRedis({ binary: binary.path, logger: silentLogger });
  process.stdout.write(
    `redis-server ${binary.version} (${binary.source}) on ${server.url}; ${TASKS} tasks per run, ${RUNS} runs\n`,
  );
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const self = fileURLToPath(import.meta.url);

  interface Proc {
    process: ChildProcess;
    messages: Message[];
    done: number;
    send(message: Message): void;
  }

  async function spawnWorker(
    system: System,
    mode: string,
    concurrency: number,
    env: object = {},
  ): Promise<Proc> {
    const child = fork(self, [], {
      env: {
        ...process.env,
        BENCH_ROLE: 'worker',
        BENCH_SYSTEM: system,
        BENCH_MODE: mode,
        BENCH_CONCURRENCY: String(concurrency),
        BENCH_REDIS_URL: server.url,
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const proc: Proc = { process: child, messages: [], done: 0, send: (m) => child.send(m) };
    child.on('message', (m: Message) => {
      if (m.type === 'count') proc.done = m.done;
      else proc.messages.push(m);
    });
    await waitFor(() => proc.messages.some((m) => m.type === 'ready'), 30_000, 'worker ready');
    return proc;
  }

  async function stopWorker(proc: Proc): Promise<void> {
    if (proc.process.exitCode !== null || proc.process.signalCode !== null) return;
    const exited = once(proc.process, 'exit');
    proc.send({ type: 'stop' });
    const timer = setTimeout(() => proc.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async function enqueue(system: System, n: number): Promise<void> {
    if (system === 'covina') {
      const store = new PipelineStore({ redis, pipeline: QUEUE, prefix: PREFIX });
      for (let i = 0; i < n; i += 1_000) {
        await store.addTasks(
          Array.from({ length: Math.min(1_000, n - i) }, () => ({ taskType: 'noop', workerType: 'bench' })),
        );
      }
    } else {
      const queue = new Queue(QUEUE, { connection: redis });
      for (let i = 0; i < n; i += 1_000) {
        await queue.addBulk(
          Array.from({ length: Math.min(1_000, n - i) }, () => ({ name: 'noop', data: {} })),
        );
      }
      await queue.close();
    }
  }

  // 1. Throughput.
  async function throughputRun(system: System, processes: number): Promise<number> {
    await redis.flushdb();
    await enqueue(system, TASKS);
    const procs = await Promise.all(
      Array.from({ length: processes }, () => spawnWorker(system, 'noop', TOTAL_CONCURRENCY / processes)),
    );
    const started = performance.now();
    for (const p of procs) p.send({ type: 'go' });
    await waitFor(() => procs.reduce((sum, p) => sum + p.done, 0) >= TASKS, 300_000, 'all tasks processed');
    const elapsed = performance.now() - started;
    await Promise.all(procs.map(stopWorker));
    return (TASKS * 1000) / elapsed;
  }

  async function measureThroughput(): Promise<void> {
    const contenders: Array<[string, System, number]> = [
      ['COVINA Worker, 1 process (c=32)', 'covina', 1],
      ['BullMQ Worker, 1 process (c=32)', 'bullmq', 1],
      ['COVINA Worker, 4 processes (c=8 each)', 'covina', 4],
      ['BullMQ Worker, 4 processes (c=8 each)', 'bullmq', 4],
    ];
    const rates: Record<string, number[]> = Object.fromEntries(contenders.map(([name]) => [name, []]));
    await throughputRun('covina', 1); // warm-up: tsx caches, the server's allocator
    await throughputRun('bullmq', 1);
    // Interleaved: a machine getting busier or quieter affects every contender alike.
    for (let run = 0; run < RUNS; run++) {
      for (const [name, system, processes] of contenders) {
        rates[name]!.push(await throughputRun(system, processes));
      }
    }
    const median = (name: string) => summarize(rates[name]!).median;
    printTable(
      `end-to-end throughput, no-op handler, ${TASKS} queued tasks (tasks/s over ${RUNS} runs; higher is better)`,
      contenders.map(([name]) => {
        const s = summarize(rates[name]!);
        return {
          contender: name,
          median: Math.round(s.median),
          min: Math.round(s.min),
          max: Math.round(s.max),
        };
      }),
    );
    const [c1, b1, c4, b4] = contenders.map(([name]) => median(name));
    process.stdout.write(
      `\nCOVINA / BullMQ: ${(c1! / b1!).toFixed(2)}x with 1 process, ${(c4! / b4!).toFixed(2)}x with 4 processes\n`,
    );
  }

  // 2. Failover after kill -9.
  async function failover(system: System, env: object): Promise<number[]> {
    await redis.flushdb();
    const samples: number[] = [];
    const queue = system === 'bullmq' ? new Queue(QUEUE, { connection: redis }) : undefined;
    const store =
      system === 'covina' ? new PipelineStore({ redis, pipeline: QUEUE, prefix: PREFIX }) : undefined;
    for (let i = 0; i < FAILOVERS; i++) {
      const victim = await spawnWorker(system, 'hang', 1, env);
      victim.send({ type: 'go' });
      const taskId =
        system === 'covina'
          ? await store!.addTaskToBatch({ taskType: 'work', workerType: 'bench' })
          : (await queue!.add('work', {})).id!;
      await waitFor(
        () => victim.messages.some((m) => m.type === 'start' && m.taskId === taskId),
        10_000,
        'victim start',
      );
      // The survivor joins once the victim holds the task, then a few heartbeats go by.
      const survivor = await spawnWorker(system, 'report', 1, env);
      survivor.send({ type: 'go' });
      await sleep(HEARTBEAT_MS * (2 + Math.random()));
      const killedAt = Date.now();
      victim.process.kill('SIGKILL');
      await waitFor(
        () => survivor.messages.some((m) => m.type === 'start' && m.taskId === taskId),
        30_000,
        'task run elsewhere',
      );
      const rerun = survivor.messages.find((m) => m.type === 'start' && m.taskId === taskId) as {
        at: number;
      };
      samples.push(rerun.at - killedAt);
      await stopWorker(survivor);
    }
    await queue?.close();
    await store?.close();
    return samples;
  }

  async function measureFailover(): Promise<void> {
    const failovers = {
      'COVINA, liveness probe (default)': await failover('covina', {}),
      'COVINA, heartbeats only (probe off)': await failover('covina', { BENCH_PROBE: '0' }),
      'BullMQ, stalled check every 500 ms': await failover('bullmq', {}),
    };
    printComparison(
      `kill -9 mid-task → task running in another process (ms; heartbeat ${HEARTBEAT_MS} ms, lease/lock ${LEASE_MS} ms)`,
      failovers,
    );
    const median = summarize(failovers['COVINA, liveness probe (default)']).median;
    process.stdout.write(
      `COVINA median failover = ${(median / HEARTBEAT_MS).toFixed(2)} x the heartbeat interval\n`,
    );
  }

  const parts = (process.env.BENCH_PARTS ?? 'throughput,failover').split(',');
  if (parts.includes('throughput')) await measureThroughput();
  if (parts.includes('failover')) await measureFailover();

  redis.disconnect();
  await server.stop();
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(5);
  }
}
