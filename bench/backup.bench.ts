/**
 * @covina/backup on a pipeline of 1,000,000 tasks (BENCH_TASKS), on its own embedded
 * redis-server:
 *
 * 1. Backup time and file size, for each snapshot method (replication: the server forks and
 *    streams an RDB; tracked: SCAN + DUMP with change tracking and a final CLIENT PAUSE WRITE).
 * 2. The latency another client sees meanwhile: a probe in a worker thread (its own event loop
 *    and connection) claims-and-releases a task and reads one, back to back; p50/p99/max during
 *    each backup, beside the same probe with no backup running.
 * 3. Restore time into an emptied server.
 * 4. Side by side: `redis-cli --rdb` (a raw point-in-time dump of the whole server, what an
 *    operator would use instead), timed the same way with the same probe.
 *
 * Goals (ARCHITECTURE issue): backup under 15 s, probe p99 under 10 ms during the backup.
 *
 *   pnpm bench backup                     # 1,000,000 tasks
 *   BENCH_TASKS=100000 pnpm bench backup  # quicker
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BackupManager } from '@covina/backup';
import { type NewTask, PipelineStore } from '@covina/core';
import { resolveBinary, silentLogger, startRedis } from '@covina/embedded-server';
import { Redis } from 'ioredis';
import { formatNumber, percentile, printTable } from './lib/index.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 1_000_000);
const TASKS_PER_FILE = 10;
const FILES = Math.ceil(TASKS / TASKS_PER_FILE);

const binary = await resolveBinary();
const server = await startRedis({ binary: binary.path, logger: silentLogger, args: ['--save', ''] });
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
const dir = await mkdtemp(join(tmpdir(), 'covina-backup-bench-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
process.stdout.write(
  `redis-server ${binary.version} (${binary.source}) on ${server.url}; ${formatNumber(TASKS)} tasks; ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores\n`,
);

// ---- a pipeline of TASKS tasks in a realistic mix of states --------------------------------------
const store = new PipelineStore({ redis, pipeline: 'docs', prefix: 'bench', bulkChunkSize: 1000 });
{
  const started = performance.now();
  const batchId = await store.createBatch({ name: 'bench' });
  const fileIds: string[] = [];
  for (let i = 0; i < FILES; i += 1000) {
    const slice = Array.from({ length: Math.min(1000, FILES - i) }, (_, j) => i + j);
    fileIds.push(
      ...(await Promise.all(
        slice.map((n) =>
          store.addFileToBatch({
            batchId,
            path: `/inbox/${n}.pdf`,
            hash: `sha-${n}`,
            size: 10_000 + n,
            mimeType: 'application/pdf',
          }),
        ),
      )),
    );
  }
  const perFile = (fileId: string, n: number): NewTask[] => [
    {
      fileId,
      taskType: 'pre',
      workerType: 'pre',
      priority: n % 5,
      payload: { path: `/inbox/${n}.pdf`, pages: n % 40 },
    },
    { fileId, taskType: 'ocr', workerType: 'ocr', afterTasks: ['pre'] },
    { fileId, taskType: 'nlp', workerType: 'nlp', afterTasks: ['ocr'] },
    ...Array.from({ length: TASKS_PER_FILE - 3 }, (_, k) => ({
      fileId,
      taskType: `embed${k}`,
      workerType: 'embed',
      priority: k,
      payload: { chunk: k },
    })),
  ];
  for (let i = 0; i < fileIds.length; i += 100) {
    const tasks = fileIds.slice(i, i + 100).flatMap((f, j) => perFile(f, i + j));
    await store.addTasks(tasks);
  }
  // Work through part of it: 20% of the pre tasks done, 2% leased, 1% failed for good.
  const claims = Math.floor(FILES * 0.23);
  for (let done = 0; done < claims; ) {
    const batch = await store.claimTasks('pre', Math.min(500, claims - done), { workerId: 'bench' });
    if (batch.length === 0) break;
    await Promise.all(
      batch.map((task, k) => {
        const n = done + k;
        if (n % 23 < 20)
          return store.updateTaskStatus(task.id, 'completed', {
            leaseToken: task.leaseToken,
            resultData: { words: n },
          });
        if (n % 23 === 20)
          return store.updateTaskStatus(task.id, 'failed', {
            leaseToken: task.leaseToken,
            error: 'bad scan',
            retryable: false,
          });
        return undefined; // left active, under lease
      }),
    );
    done += batch.length;
  }
  const info = await redis.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  process.stdout.write(
    `created ${formatNumber(TASKS)} tasks on ${formatNumber(FILES)} files in ${seconds(performance.now() - started)}; Redis used_memory ${formatNumber(used / 2 ** 20)} MiB\n`,
  );
}

// ---- the probe: another client, in its own process and session ---------------------------------
// (A thread of this process would share its CPU share with the backup under Linux autogroup
// scheduling, and measure this process rather than Redis.)
const probeSource = `
const { createRequire } = require('node:module');
const { Redis } = createRequire(process.env.PROBE_FROM)('ioredis');
const redis = new Redis(process.env.PROBE_URL);
let running = true;
const latencies = [];
process.on('message', (m) => { if (m === 'stop') running = false; });
(async () => {
  await redis.ping();
  process.send('ready');
  let i = 0;
  while (running) {
    const t0 = performance.now();
    // A write and a read of the pipeline's keys, as a worker and a dashboard would do.
    await redis.hincrby(process.env.PROBE_COUNTER, 'probe', 1);
    await redis.hget(process.env.PROBE_TASKS, 't' + (1000 + (i++ % 100000)).toString(36));
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 1));
  }
  process.send(latencies, () => { redis.disconnect(); process.disconnect(); });
})();
`;

async function withProbe<T>(work: () => Promise<T>): Promise<{ result: T; latencies: number[] }> {
  const probe = spawn(process.execPath, ['-e', probeSource], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      PROBE_FROM: import.meta.url,
      PROBE_URL: server.url,
      PROBE_COUNTER: 'bench:{docs}:counts',
      PROBE_TASKS: store.keys.tasks,
    },
  });
  await new Promise((resolve) => probe.once('message', resolve));
  const result = await work();
  const latencies = new Promise<number[]>((resolve) => probe.once('message', (m) => resolve(m as number[])));
  probe.send('stop');
  const all = await latencies;
  await new Promise((resolve) => probe.once('exit', resolve));
  return { result, latencies: all };
}

const rows: Array<Record<string, string | number>> = [];
function record(name: string, ms: number, latencies: number[], extra: Record<string, string | number> = {}) {
  rows.push({
    contender: name,
    'time s': Number((ms / 1000).toFixed(2)),
    'probe ops': latencies.length,
    'p50 ms': Number(percentile(latencies, 50).toFixed(2)),
    'p99 ms': Number(percentile(latencies, 99).toFixed(2)),
    'max ms': Number(Math.max(...latencies).toFixed(1)),
    ...extra,
  });
}

// Baseline: the probe with nothing else running.
{
  const { latencies } = await withProbe(() => new Promise((r) => setTimeout(r, 3000)));
  record('no backup (probe alone, 3 s)', 3000, latencies);
}

const backups: Record<string, string> = {};
for (const method of ['replication', 'tracked'] as const) {
  const path = join(dir, method, 'redis_pipeline_backup.db');
  const manager = new BackupManager({ redis, store, path, method, logger: silentLogger as never });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { result, latencies } = await withProbe(() => manager.forceBackupNow());
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  backups[method] = path;
  const node = result.nodes[0]!;
  const p = result.phases;
  record(`COVINA backup (${method})`, ms, latencies, {
    'file MiB': Number((result.bytes / 2 ** 20).toFixed(1)),
    detail:
      `copy ${seconds(p.snapshotMs)}, rows ${seconds(p.rowsMs)}, seal ${seconds(p.sealMs)}; ` +
      `our CPU ${seconds((used.user + used.system) / 1000)}; ` +
      (method === 'tracked'
        ? `rounds ${node.details.catchUpRounds}, paused ${node.details.pausedRounds}× ${node.details.pauseMs} ms`
        : `rdb ${formatNumber(Number(node.details.rdbBytes) / 2 ** 20)} MiB`),
  });
  if (result.taskCount !== TASKS)
    throw new Error(`backup holds ${result.taskCount} tasks, expected ${TASKS}`);
}

// Side by side: redis-cli --rdb, a raw dump of the whole server.
{
  const out = join(dir, 'dump.rdb');
  const cli = binary.path.replace(/redis-server$/, 'redis-cli');
  const started = performance.now();
  const { latencies } = await withProbe(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(cli, ['-h', server.host, '-p', String(server.port), '--rdb', out], {
          stdio: 'ignore',
        });
        child.once('error', reject);
        child.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`redis-cli exited ${code}`)),
        );
      }),
  ).catch((error: Error) => {
    process.stdout.write(`(redis-cli --rdb unavailable: ${error.message})\n`);
    return { latencies: [] as number[] };
  });
  if (latencies.length > 0) {
    record('redis-cli --rdb (raw dump, no rows)', performance.now() - started, latencies, {
      'file MiB': Number(((await stat(out)).size / 2 ** 20).toFixed(1)),
      detail: 'incl. its 5 s diskless-sync delay',
    });
  }
}

// Restore into an emptied server.
await redis.flushall();
{
  const manager = new BackupManager({
    redis,
    store,
    path: backups.replication!,
    logger: silentLogger as never,
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await manager.restoreFromSqliteBackup();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const restored = await redis.hlen(store.keys.tasks);
  if (restored !== TASKS) throw new Error(`restored ${restored} tasks, expected ${TASKS}`);
  rows.push({
    contender: 'COVINA restore (verify on)',
    'time s': Number((ms / 1000).toFixed(2)),
    detail: `${formatNumber(report.restoredKeys)} keys; our CPU ${seconds((used.user + used.system) / 1000)}`,
  });
}

printTable(
  `Backup and restore of ${formatNumber(TASKS)} tasks (goals: backup < 15 s, probe p99 < 10 ms)`,
  rows,
);
process.stdout.write(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} ` + '(wall times grow with the machine load, CPU times much less)\n',
);

redis.disconnect();
await server.stop();
await rm(dir, { recursive: true, force: true });
