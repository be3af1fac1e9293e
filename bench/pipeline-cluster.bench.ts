/**
 * PartitionedPipeline (@covina/core) on a local Redis Cluster of 1 and of 3 masters: does one
 * logical pipeline get faster when it can use more masters? Same partitions (6), same load:
 * bulk enqueue from the main thread, then claim + complete from client processes (100 in flight
 * each), so the client side is not the only bottleneck.
 *
 *   pnpm bench pipeline-cluster          # BENCH_TASKS=20000, BENCH_CLIENTS=2 by default
 */

import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolveBinary, silentLogger, startCluster } from '@covina/embedded-server';
import { Cluster, Redis } from 'ioredis';
import { printTable } from './lib/index.js';

const { PartitionedPipeline } = await import('@covina/core');

const TASKS = Number(process.env.BENCH_TASKS ?? 20_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2);
const PARTITIONS = 6;

interface Job {
  startupNodes: Array<{ host: string; port: number }>;
}

function clusterClient(job: Job): Cluster {
  return new Cluster(job.startupNodes);
}

/**
 * A client process: connects, says 'ready', and on 'go' claims and completes until the pipeline
 * is empty (4 claimers of 25 in flight), then reports how many it did.
 */
async function client(job: Job): Promise<void> {
  const redis = clusterClient(job);
  const docs = new PartitionedPipeline({ redis, pipeline: 'bench', partitions: PARTITIONS });
  await docs.getStats(); // connected, slots known
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.('ready');
  });
  let done = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (
        let batch = await docs.claimTasks('w', 25);
        batch.length > 0;
        batch = await docs.claimTasks('w', 25)
      ) {
        await Promise.all(
          batch.map((t) => docs.updateTaskStatus(t.id, 'completed', { leaseToken: t.leaseToken })),
        );
        done += batch.length;
      }
    }),
  );
  process.send?.(done);
  await docs.close();
  await redis.quit();
}

const JOB = process.env.COVINA_BENCH_JOB;
if (JOB) {
  await client(JSON.parse(JOB) as Job);
} else {
  const binary = await resolveBinary();
  process.stdout.write(
    `redis-server ${binary.version} (${binary.source}), ${TASKS} tasks, ${CLIENTS} client processes\n`,
  );
  const rows = [];
  for (const masters of [1, 3]) {
    const cluster = await startCluster({ masters, binary: binary.path, logger: silentLogger });
    const job: Job = { startupNodes: cluster.startupNodes.map(({ host, port }) => ({ host, port })) };
    // A one-node cluster has never learnt its own address and announces an empty host, which
    // ioredis drops: tell each node its address (our own throwaway servers).
    for (const { host, port } of job.startupNodes) {
      const node = new Redis(port, host);
      await node.config('SET', 'cluster-announce-ip', host);
      node.disconnect();
    }
    const redis = clusterClient(job);
    const docs = new PartitionedPipeline({ redis, pipeline: 'bench', partitions: PARTITIONS });

    // Warm-up: scripts loaded on every master, connections open.
    await docs.addTasks(Array.from({ length: 100 }, () => ({ taskType: 'warm', workerType: 'warm' })));

    // CPU time each master spends (INFO cpu) shows how the work spreads, whatever the machine:
    // the busiest master's CPU per task bounds the throughput a cluster of real machines reaches.
    const masterCpu = () =>
      Promise.all(
        job.startupNodes.map(async ({ host, port }) => {
          const node = new Redis(port, host);
          const info = await node.info('cpu');
          node.disconnect();
          const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
          return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
        }),
      );
    const cpuBefore = await masterCpu();

    let start = performance.now();
    await docs.addTasks(
      Array.from({ length: TASKS }, (_, i) => ({ taskType: 't', workerType: 'w', priority: i % 5 })),
    );
    const enqueueMs = performance.now() - start;

    const children = Array.from({ length: CLIENTS }, () =>
      // Client processes (not threads): each has its own event loop and CPU share.
      fork(fileURLToPath(import.meta.url), {
        execArgv: process.execArgv,
        env: { ...process.env, COVINA_BENCH_JOB: JSON.stringify(job) },
      }),
    );
    const message = (child: ReturnType<typeof fork>) =>
      new Promise<unknown>((resolve, reject) => {
        child.once('message', resolve);
        child.once('error', reject);
      });
    await Promise.all(children.map(message));
    start = performance.now();
    const finished = children.map(message);
    for (const child of children) child.send('go');
    const counts = (await Promise.all(finished)).map(Number);
    const drainMs = performance.now() - start;
    const drained = counts.reduce((a, b) => a + b, 0);
    if (drained !== TASKS) throw new Error(`drained ${drained} of ${TASKS}`);
    const cpuPerTask = (await masterCpu()).map((after, i) => (after - cpuBefore[i]!) / TASKS);
    rows.push({
      masters,
      'enqueue tasks/s': Math.round((TASKS * 1000) / enqueueMs),
      'claim+complete tasks/s': Math.round((TASKS * 1000) / drainMs),
      'Redis CPU µs/task, per master': cpuPerTask.map((us) => us.toFixed(1)).join(' / '),
      'busiest master µs/task': Number(Math.max(...cpuPerTask).toFixed(1)),
    });
    await docs.close();
    await redis.quit();
    await cluster.stop();
  }
  printTable(`PartitionedPipeline, ${PARTITIONS} partitions, on a local Redis Cluster (one run each)`, rows);
  const [one, three] = rows;
  const cores = (await import('node:os')).cpus().length;
  process.stdout.write(
    `\n3 masters / 1 master: enqueue ${((three?.['enqueue tasks/s'] ?? 0) / (one?.['enqueue tasks/s'] ?? 1)).toFixed(2)}x, ` +
      `claim+complete ${((three?.['claim+complete tasks/s'] ?? 0) / (one?.['claim+complete tasks/s'] ?? 1)).toFixed(2)}x ` +
      `measured on ${cores} CPU cores shared by every server and client; ` +
      `capacity (busiest master's CPU per task) ${((one?.['busiest master µs/task'] ?? 0) / (three?.['busiest master µs/task'] ?? 1)).toFixed(2)}x\n`,
  );
}
