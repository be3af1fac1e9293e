/**
 * Distributed locks: @covina/task-coordinator's mutex beside the lock most Node users write or
 * pull in, a Redlock-style single-instance lock (SET NX PX, release by compare-and-delete in Lua,
 * retry on a timer: Redlock's defaults are 200 ms ± 200 ms). Same redis-server for both.
 *
 * 1. Uncontended: one acquire + release, sequentially (latency per pair).
 * 2. Contended: 8 clients take turns on one lock for 25 short critical sections each (a GET and
 *    a SET of a counter); the time for all 200 hand-offs. COVINA wakes waiters by pub/sub on
 *    release; a polling lock waits for its next retry.
 *
 *   pnpm bench locks
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LockManager } from '@covina/task-coordinator';
import { Redis } from 'ioredis';
import { printComparison, printTable, sample, sampleInterleaved } from './lib/index.js';

const { resolveBinary, silentLogger, startRedis } = await import('@covina/embedded-server');
const { createLockManager } = await import('@covina/task-coordinator');

const binary = await resolveBinary();
const server = await startRedis({ binary: binary.path, logger: silentLogger });
process.stdout.write(`redis-server ${binary.version} (${binary.source}) on ${server.url}\n`);

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** A Redlock-style lock on one instance: SET NX PX, retry after `retryDelay ± retryJitter` ms. */
async function pollingLock(
  redis: Redis,
  key: string,
  ttlMs: number,
  retryDelay: number,
  retryJitter: number,
) {
  const token = randomBytes(16).toString('base64url');
  for (;;) {
    if (await redis.set(key, token, 'PX', ttlMs, 'NX')) {
      return { release: () => redis.eval(RELEASE, 1, key, token) };
    }
    await sleep(Math.max(0, retryDelay + Math.floor((Math.random() * 2 - 1) * retryJitter)));
  }
}

const CLIENTS = 8;
const ROUNDS = 25;
const clients = Array.from({ length: CLIENTS }, () => new Redis(server.url));
const managers: LockManager[] = clients.map((redis) => createLockManager({ redis, prefix: 'bench' }));
const counter = 'bench:counter';

async function criticalSection(redis: Redis): Promise<void> {
  const value = Number((await redis.get(counter)) ?? '0');
  await redis.set(counter, String(value + 1));
}

// 1. Uncontended pairs.
const [solo] = managers;
const soloClient = clients[0]!;
const pairs = await sampleInterleaved(
  2_000,
  {
    'covina acquireLock + release': {
      run: async () => {
        const lock = await solo!.acquireLock('solo');
        await lock.release();
      },
    },
    'SET NX PX + Lua release': {
      run: async () => {
        const lock = await pollingLock(soloClient, 'bench:solo-polling', 30_000, 200, 200);
        await lock.release();
      },
    },
  },
  { warmup: 50 },
);
printComparison('uncontended acquire + release (one client, sequential)', pairs);

// 2. Contended hand-offs. Each client also works outside the lock between turns, as real
// workers do, so the lock really changes hands instead of going back to the client releasing it.
type Take = (i: number) => Promise<{ release(): Promise<unknown> }>;
const contenders: Record<string, Take> = {
  'covina acquireLock (pub/sub wake-up)': (i) => managers[i]!.acquireLock('shared', { waitMs: 60_000 }),
  'polling, Redlock defaults (200 ± 200 ms)': (i) =>
    pollingLock(clients[i]!, 'bench:shared-polling', 30_000, 200, 200),
  'polling, aggressive (10 ± 5 ms)': (i) => pollingLock(clients[i]!, 'bench:shared-polling', 30_000, 10, 5),
};

async function commandsProcessed(): Promise<number> {
  const info = await soloClient.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

async function scenario(title: string, insideMs: number, outsideMs: number): Promise<void> {
  const totals: Record<string, number[]> = {};
  const waits: Record<string, number[]> = {};
  const commands: Array<Record<string, string | number>> = [];
  for (const [name, take] of Object.entries(contenders)) {
    const recorded: number[] = [];
    waits[name] = recorded;
    let turns = 0;
    const before = await commandsProcessed();
    totals[name] = await sample(
      3,
      async () => {
        await soloClient.del(counter);
        await Promise.all(
          clients.map(async (redis, i) => {
            for (let n = 0; n < ROUNDS; n++) {
              await sleep(outsideMs);
              const asked = performance.now();
              const lock = await take(i);
              recorded.push(performance.now() - asked);
              await criticalSection(redis);
              if (insideMs > 0) await sleep(insideMs);
              await lock.release();
              turns++;
            }
          }),
        );
        const total = Number(await soloClient.get(counter));
        if (total !== CLIENTS * ROUNDS) throw new Error(`lost updates: ${total} of ${CLIENTS * ROUNDS}`);
      },
      { warmup: 1 },
    );
    const perTurn = ((await commandsProcessed()) - before) / turns;
    commands.push({ contender: name, 'Redis commands per turn': Math.round(perTurn * 10) / 10 });
  }
  printComparison(`${title}: time for all ${CLIENTS * ROUNDS} turns of ${CLIENTS} clients`, totals);
  printComparison(`${title}: wait for the lock, per turn`, waits);
  printTable(`${title}: Redis commands per turn (lock + critical section + INFO)`, commands);
}

await scenario('short critical section (GET + SET), 2 ms outside', 0, 2);
await scenario('5 ms critical section, 5 ms outside', 5, 5);

await Promise.all(managers.map((m) => m.close()));
for (const c of clients) c.disconnect();
await server.stop();
