/**
 * Time from "start a redis-server" to its first PONG: @covina/embedded-server's startRedis()
 * beside redis-memory-server's RedisMemoryServer.create(), both running the SAME binary, run in
 * turn 20 times each (after warm-up). Stop time is shown too. Goal: startRedis is not slower.
 */
import { ping, resolveBinary, silentLogger, startRedis } from '@covina/embedded-server';
import { RedisMemoryServer } from 'redis-memory-server';
import { printComparison, sampleInterleaved } from './lib/index.js';

const RUNS = 20;
const binary = await resolveBinary();
process.stdout.write(
  `redis-server ${binary.version} at ${binary.path} (${binary.source}), ${RUNS} runs each\n`,
);

async function firstPong(host: string, port: number): Promise<void> {
  if (!(await ping({ host, port }))) throw new Error(`no PONG from ${host}:${port}`);
}

type Stoppable = { stop(): Promise<unknown> };
let covina: Stoppable | undefined;
let memoryServer: Stoppable | undefined;
const stopTimes: Record<string, number[]> = { 'covina startRedis': [], 'redis-memory-server': [] };
async function timedStop(name: string, server: Stoppable | undefined): Promise<void> {
  const start = performance.now();
  await server?.stop();
  stopTimes[name]?.push(performance.now() - start);
}

const startTimes = await sampleInterleaved(RUNS, {
  'covina startRedis': {
    run: async () => {
      const server = await startRedis({ binary: binary.path, logger: silentLogger });
      covina = server;
      await firstPong(server.host, server.port);
    },
    after: () => timedStop('covina startRedis', covina),
  },
  'redis-memory-server': {
    run: async () => {
      const server = await RedisMemoryServer.create({ binary: { systemBinary: binary.path } });
      memoryServer = server;
      await firstPong(await server.getHost(), await server.getPort());
    },
    after: () => timedStop('redis-memory-server', memoryServer),
  },
});

const summary = printComparison('start → first PONG', startTimes);
// Warm-up runs are stopped too: keep only the measured ones.
printComparison(
  'stop (graceful, until the process is gone)',
  Object.fromEntries(Object.entries(stopTimes).map(([k, v]) => [k, v.slice(-RUNS)])),
);

const ours = summary['covina startRedis']?.median ?? Number.NaN;
const theirs = summary['redis-memory-server']?.median ?? Number.NaN;
process.stdout.write(
  `\nverdict: startRedis median ${ours.toFixed(1)} ms vs ${theirs.toFixed(1)} ms: ` +
    `${ours <= theirs ? 'not slower' : `SLOWER by ${(ours - theirs).toFixed(1)} ms`}\n`,
);
