/**
 * Chaos, with real processes and a real Redis; part of the normal suite (it runs in CI).
 *
 * Four worker processes run a DAG of 5,000 tasks. Every second one of them is killed with
 * SIGKILL and a new one started; midway the (persistent) Redis server restarts. Every attempt
 * appends `<taskId>|<attempt>|<leaseToken>` to a Redis list before it returns; the store
 * accepts a completion only with the task's current lease token. At the end:
 *   - every task completed, none was lost;
 *   - each task has exactly one accepted completion, and it is the one of an attempt that ran
 *     (its token and attempt are in the list; the stored result says the same);
 *   - no task started before all its parents had completed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineStore, StreamEvent } from '@covina/core';
import { uniquePrefix, useFaultRedis } from '@covina/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { allEvents, type Child, Opened, spawnScript } from './fixtures/harness.js';

const f = useFaultRedis({ persistent: true });
const opened = new Opened();
const children: Child[] = [];
let admin: Redis | undefined;
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
  await opened.close();
  admin?.disconnect();
});

const TASKS = 5_000;
const PROCESSES = 4;
const STREAM_MAX = 1_000_000;
/** No task completed for this long: the run is stuck (recovery takes ~1 s: leaseMs, heartbeats). */
const STALL_MS = 30_000;
/** A hard cap besides (a loaded 2-core CI machine progresses slowly but steadily). */
const MAX_RUN_MS = 400_000;

/** What holds up the tasks not completed: counts by status, and a sample with their state. */
async function stuckReport(
  store: PipelineStore,
  ids: string[],
  graph: Array<{ parents: number[] }>,
): Promise<string> {
  const tasks = await store.getTasks(ids).catch((error: unknown) => error as Error);
  if (tasks instanceof Error) return `tasks unreadable: ${tasks.message}`;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const open = tasks.filter((t) => t.status !== 'completed');
  const counts: Record<string, number> = {};
  for (const t of open) counts[t.status] = (counts[t.status] ?? 0) + 1;
  const now = Date.now();
  const sample = open
    .filter((t) => t.status !== 'waiting' || t.dependsOn.every((p) => byId.get(p)?.status === 'completed'))
    .concat(open.filter((t) => t.status === 'waiting'))
    .slice(0, 10)
    .map((t) => {
      const i = ids.indexOf(t.id);
      const parents = (graph[i]?.parents ?? []).map((p) => `${ids[p]}=${byId.get(ids[p]!)?.status}`);
      return JSON.stringify({
        id: t.id,
        status: t.status,
        attempts: t.attempts,
        workerId: t.workerId,
        leaseExpiresInMs: t.leaseExpiresAt === undefined ? undefined : t.leaseExpiresAt - now,
        runAtInMs: t.runAt === undefined ? undefined : t.runAt - now,
        pendingDependencies: t.pendingDependencies,
        parents,
        error: t.error,
      });
    });
  return `not completed by status ${JSON.stringify(counts)}; first ones: ${sample.join(', ')}`;
}

/** A random DAG: each task depends on up to two of the 300 tasks before it. */
function dag(): Array<{ ref: string; parents: number[] }> {
  let seed = 42;
  const random = () => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  return Array.from({ length: TASKS }, (_, i) => {
    const parents = new Set<number>();
    for (let k = 0; k < 2; k++) {
      if (i > 0 && random() < 0.6) parents.add(i - 1 - Math.floor(random() * Math.min(i, 300)));
    }
    return { ref: `t${i}`, parents: [...parents] };
  });
}

/** Stream ids (`<ms>-<seq>`) in order. */
const streamOrder = (id: string): [number, number] => {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq)];
};
const isBefore = (a: string, b: string) => {
  const [am, as] = streamOrder(a);
  const [bm, bs] = streamOrder(b);
  return am < bm || (am === bm && as < bs);
};

describe('chaos', () => {
  it('kill -9 a worker every second and restart Redis: no task lost, none completed twice, DAG order held', {
    timeout: 480_000,
  }, async () => {
    const prefix = uniquePrefix();
    admin = new Redis(f.url);
    admin.on('error', () => {});
    const store = opened.store(admin, prefix, { eventStreamMaxLength: STREAM_MAX });
    const log = `${prefix}:attempts`;
    const graph = dag();
    const ids = await store.addTasks(
      graph.map((node) => ({
        ref: node.ref,
        taskType: 'step',
        workerType: 'w',
        maxAttempts: 50,
        dependsOn: node.parents.map((p) => `t${p}`),
      })),
    );

    const start = () => {
      const child = spawnScript(new URL('./fixtures/worker-process.ts', import.meta.url), {
        COVINA_REDIS_URL: f.url,
        COVINA_PREFIX: prefix,
        COVINA_TEST_MODE: 'chaos',
        COVINA_TEST_LOG: log,
        COVINA_TEST_CONCURRENCY: '8',
        COVINA_TEST_LEASE_MS: '1000',
        COVINA_TEST_HEARTBEAT_MS: '300',
        COVINA_TEST_STREAM_MAX: String(STREAM_MAX),
      });
      children.push(child);
      return child;
    };
    const live = Array.from({ length: PROCESSES }, start);
    await Promise.all(live.map((child) => child.next('ready')));

    const completed = async () => (await store.getStats().catch(() => undefined))?.tasks.completed ?? 0;
    let kills = 0;
    let restarted = false;
    // Victims are workers that are up: on a loaded machine a new process takes seconds to boot,
    // and killing those would leave no worker at all, only slowness to observe.
    const isReady = (child: Child) => child.lines.some((l) => l.event === 'ready');
    // A milestone kill (`anyone`) takes a booting worker when none is up: the run must not end
    // with fewer kills than it promises because the machine was slow to boot replacements.
    const kill = async (anyone = false) => {
      const ready = live.filter(isReady);
      const pool = ready.length > 0 ? ready : anyone ? live : [];
      if (pool.length === 0) return false;
      const victim = pool[Math.floor(Math.random() * pool.length)]!;
      live.splice(live.indexOf(victim), 1);
      await victim.kill('SIGKILL');
      kills++;
      live.push(start());
      return true;
    };
    // A kill every second; on a machine fast enough to finish in a few seconds, kills at 10 %,
    // 30 % and 70 % of the tasks too. Redis restarts at half way. The loop is bounded by
    // progress, not by the clock alone: a loaded CI machine may be slow, but a run where no task
    // completes for STALL_MS is stuck, and the failure says which tasks and in which state.
    const began = Date.now();
    let lastKill = began;
    let lastProgress = { at: began, done: -1 };
    for (let done = await completed(); done < TASKS; done = await completed()) {
      if (done > lastProgress.done) lastProgress = { at: Date.now(), done };
      if (Date.now() - lastProgress.at > STALL_MS || Date.now() - began > MAX_RUN_MS) {
        throw new Error(
          `only ${done} of ${TASKS} tasks completed (none for ${Date.now() - lastProgress.at} ms); ` +
            (await stuckReport(store, ids, graph)),
        );
      }
      // A worker that exits on its own crashed: that is a bug to see, not chaos to absorb.
      const crashed = live.find((child) => child.process.exitCode !== null);
      if (crashed)
        throw new Error(`a worker exited by itself (${crashed.process.exitCode}): ${crashed.stderr()}`);
      const milestone = [0.1, 0.3, 0.7].filter((m) => done >= m * TASKS).length;
      const due = kills < milestone;
      if ((due || Date.now() - lastKill >= 1_000) && (await kill(due))) lastKill = Date.now();
      if (!restarted && done >= TASKS / 2) {
        await f.restart();
        restarted = true;
      }
      await sleep(50);
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(restarted).toBe(true);

    // Every task completed.
    const tasks = await store.getTasks(ids);
    expect(tasks.filter((t) => t.status !== 'completed').map((t) => [t.id, t.status])).toEqual([]);

    // What ran: every attempt's (task, attempt, token).
    const attempts = new Set(await admin.lrange(log, 0, -1));
    expect(attempts.size).toBeGreaterThanOrEqual(TASKS);

    // What was accepted: exactly one completion per task, by an attempt that ran and holds the lease.
    const events = await allEvents(store);
    const completions = new Map<string, StreamEvent[]>();
    const starts = new Map<string, StreamEvent[]>();
    for (const e of events) {
      if (e.type === 'task:completed') completions.set(e.taskId!, [...(completions.get(e.taskId!) ?? []), e]);
      if (e.type === 'task:started') starts.set(e.taskId!, [...(starts.get(e.taskId!) ?? []), e]);
    }
    const twice = [...completions].filter(([, list]) => list.length !== 1);
    expect(twice).toEqual([]);
    expect(completions.size).toBe(TASKS);
    for (const task of tasks) {
      const result = task.resultData as { attempt: number; token: string };
      const accepted = completions.get(task.id)![0]!;
      expect(result.attempt).toBe(accepted.attempt);
      expect(attempts.has(`${task.id}|${result.attempt}|${result.token}`)).toBe(true);
    }

    // DAG order: every start of a task came after the completion of each of its parents.
    const violations: string[] = [];
    graph.forEach((node, i) => {
      for (const p of node.parents) {
        const parentDone = completions.get(ids[p]!)![0]!.streamId;
        for (const s of starts.get(ids[i]!) ?? []) {
          if (!isBefore(parentDone, s.streamId))
            violations.push(`${ids[i]} started before ${ids[p]} completed`);
        }
      }
    });
    expect(violations).toEqual([]);

    // The chaos had teeth: some attempts were interrupted and run again.
    expect(attempts.size).toBeGreaterThan(TASKS);
    const recovered = events.filter(
      (e) => e.type === 'task:retrying' && /was lost|lease expired/.test(e.error ?? ''),
    );
    expect(recovered.length).toBeGreaterThan(0);
  });
});
