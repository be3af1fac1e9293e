import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerRegistry, type WorkerRecord, type WorkerRegistry } from '../src/index.js';

const ctx = useRedis();
const HEARTBEAT_MS = 250;

// Child processes run the TypeScript sources with tsx; `.lua` files load as text, as in the build.
const registerLua = new URL('../../../tools/register-lua.mjs', import.meta.url).href;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const script = fileURLToPath(new URL('../examples/worker-process.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  events: Array<Record<string, unknown>>;
  next(event: string): Promise<Record<string, unknown>>;
}

const children: Child[] = [];
const registries: WorkerRegistry[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await once(child.process, 'exit');
    }
  }
  await Promise.all(registries.splice(0).map((r) => r.close()));
});

function startWorker(): Child {
  const child = spawn(
    process.execPath,
    ['--conditions=@covina/source', '--import', tsx, '--import', registerLua, script],
    {
      env: {
        ...process.env,
        COVINA_REDIS_URL: ctx.url,
        COVINA_PREFIX: ctx.prefix,
        COVINA_PIPELINE: 'docs',
        COVINA_HEARTBEAT_MS: String(HEARTBEAT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const entry: Child = {
    process: child,
    events,
    async next(event) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = events.find((e) => e.event === event);
        if (found) return found;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `worker did not report "${event}" (exit ${child.exitCode}): ${stderr.slice(-2000)}`,
          );
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
  children.push(entry);
  return entry;
}

describe('worker processes', () => {
  it('reports a SIGKILLed worker dead within three heartbeats; one sweeper recovers it, once', async () => {
    const victim = startWorker();
    const survivor = startWorker();
    const victimId = (await victim.next('registered')).id as string;
    const survivorId = (await survivor.next('registered')).id as string;

    const observer = createWorkerRegistry({ redis: ctx.client(), prefix: ctx.prefix, namespace: 'docs' });
    registries.push(observer);
    expect((await observer.listWorkers()).map((w) => [w.id, w.state]).sort()).toEqual(
      [
        [victimId, 'alive'],
        [survivorId, 'alive'],
      ].sort(),
    );

    // Two more sweepers in this process, racing the survivor's for every dead worker.
    const recoveredHere: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = createWorkerRegistry({ redis: ctx.client(), prefix: ctx.prefix, namespace: 'docs' });
      registries.push(r);
      r.startSweeper({ intervalMs: 50, onWorkerDead: (w) => void recoveredHere.push(w.id) });
    }

    victim.process.kill('SIGKILL');
    // Every look at the victim until it is reported dead, with its heartbeat age by the server's
    // clock: the verdict is judged on that clock, so a slow (loaded) observer changes nothing.
    const seen: WorkerRecord[] = [];
    const killedAt = Date.now();
    while (seen.at(-1)?.state !== 'dead' && Date.now() - killedAt < 20_000) {
      const record = (await observer.listWorkers()).find((w) => w.id === victimId);
      if (record) seen.push(record);
      await new Promise((r) => setTimeout(r, 10));
    }
    const dead = seen.at(-1);
    expect(dead?.state).toBe('dead');
    // Alive while its last heartbeat is at most three periods old…
    const early = seen.slice(0, -1);
    expect(early.every((w) => w.state === 'alive' && w.lastHeartbeatAgeMs <= 3 * HEARTBEAT_MS)).toBe(true);
    // …and dead from the first look after that: within three periods of its last heartbeat, which
    // came before the kill.
    expect(dead!.lastHeartbeatAgeMs).toBeGreaterThan(3 * HEARTBEAT_MS);
    expect(dead!.missedHeartbeats).toBeGreaterThanOrEqual(3);
    const previous = early.at(-1);
    if (previous) expect(dead!.lastHeartbeatAt).toBe(previous.lastHeartbeatAt); // no beat since

    // Recovered exactly once across the three sweepers (two here, one in the survivor).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const record = (await observer.listWorkers()).find((w) => w.id === victimId);
      if (record?.recovery === 'done') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 4 * HEARTBEAT_MS)); // more sweeps, none may repeat it
    const recoveredBySurvivor = survivor.events.filter((e) => e.event === 'worker-dead').map((e) => e.id);
    expect([...recoveredHere, ...recoveredBySurvivor]).toEqual([victimId]);

    const [alive] = await observer.listWorkers();
    expect(alive).toMatchObject({ id: survivorId, state: 'alive' });

    // A clean shutdown deregisters: nothing to recover.
    survivor.process.kill('SIGTERM');
    await survivor.next('stopped');
    expect((await observer.listWorkers()).map((w) => w.id)).toEqual([victimId]);
  });
});
