import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStats } from '../src/index.js';
import { Opened, runScript, until } from './fixtures/harness.js';

const ctx = useRedis();
const opened = new Opened();
afterEach(() => opened.close());

const cli = new URL('../src/cli.ts', import.meta.url);
const run = (args: string[], env: Record<string, string | undefined> = {}, options = {}) =>
  runScript(
    cli,
    ['--pipeline', 'docs', '--prefix', ctx.prefix, ...args],
    { COVINA_REDIS_URL: ctx.url, ...env },
    options,
  );

// Each case starts the CLI as real processes (tsx from source): slow on a busy machine.
describe('covina-coordinator', { timeout: 90_000 }, () => {
  it('submit validates --task-data and prints the new task id', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const [ok, badJson, noType, noRedis, unknown, noId] = await Promise.all([
      run(['submit', '--task-type', 'ocr', '--task-data', '{"document_uuid":"d-42"}', '--priority', '7']),
      run(['submit', '--task-type', 'ocr', '--task-data', '{document_uuid:']),
      run(['submit', '--task-data', '{}']),
      run(['workers'], {
        COVINA_REDIS_URL: undefined,
        COVINA_REDIS_HOST: undefined,
        COVINA_REDIS_CLUSTER_NODES: undefined,
      }),
      run(['frobnicate']),
      run(['dlq', 'retry']),
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const id = ok.stdout.trim();
    expect(await store.getTask(id)).toMatchObject({
      taskType: 'ocr',
      workerType: 'ocr',
      priority: 7,
      payload: { document_uuid: 'd-42' },
    });
    expect(badJson).toMatchObject({ code: 2, stdout: '' });
    expect(badJson.stderr).toContain('--task-data is not valid JSON');
    expect(noType.code).toBe(2);
    expect(noType.stderr).toContain('submit needs --task-type');
    expect(noRedis.code).toBe(2);
    expect(noRedis.stderr).toContain('set COVINA_REDIS_URL');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain('dlq retry needs a task id');
    expect((await store.getStats()).tasks.total).toBe(1);
  });

  it('monitor --once prints workers and tasks per type; monitor refreshes until Ctrl-C', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const worker = opened.worker({
      store,
      workerType: 'ocr',
      concurrency: 4,
      heartbeatMs: 200,
      handler: () => 'ok',
    });
    await worker.run();
    worker.pause();
    await store.addTasks([
      { taskType: 'ocr', workerType: 'ocr' },
      { taskType: 'ocr', workerType: 'ocr' },
      { taskType: 'nlp', workerType: 'nlp' },
    ]);
    const [text, json, live] = await Promise.all([
      run(['monitor', '--once']),
      run(['monitor', '--once', '--json']),
      run(
        ['monitor', '--interval', '200'],
        {},
        { stopWhen: (out: string) => out.split('pipeline docs').length > 3 },
      ),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('workers: 1 alive, 0 dead');
    const ocrRow = text.stdout.split('\n').find((line) => line.startsWith('ocr '));
    // WORKER TYPE, ALIVE, DEAD, SLOTS, RUNNING, then tasks by status: waiting, ready, …
    expect(ocrRow?.split(/\s+/).slice(0, 7)).toEqual(['ocr', '1', '0', '4', '0', '0', '2']);
    expect(text.stdout).toMatch(/^nlp\s+0\s+0\s+0\s+0\s+0\s+1\s/m);

    const stats = JSON.parse(json.stdout) as ClusterStats;
    expect(stats.workers.byType.ocr).toEqual({ alive: 1, dead: 0, concurrency: 4, running: 0 });
    expect(stats.tasksByType.nlp?.ready).toBe(1);
    expect(stats.oldestReady).not.toBeNull();

    // Stopped by SIGINT after three screens: a clean exit.
    expect(live.code).toBe(0);
    expect(live.stdout.split('pipeline docs').length).toBeGreaterThan(3);
  });

  it('workers lists the registered workers; dlq lists, retries and purges dead letters', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    let attempts = 0;
    const worker = opened.worker({
      store,
      workerType: 'w',
      heartbeatMs: 200,
      version: '3.1.4',
      handler: async (task) => {
        attempts++;
        if (task.payload === 'doomed' || attempts <= 2) throw new Error(`failed: ${task.payload}`);
        return 'ok';
      },
    });
    await worker.run();
    const [retryable, doomed] = await store.addTasks([
      { taskType: 't', workerType: 'w', payload: 'retryable', maxAttempts: 1 },
      { taskType: 't', workerType: 'w', payload: 'doomed', maxAttempts: 1 },
    ]);
    await until(async () => ((await store.getStats()).deadLetters === 2 ? true : undefined));

    const [workers, list, listJson] = await Promise.all([
      run(['workers']),
      run(['dlq']),
      run(['dlq', 'list', '--json']),
    ]);
    expect(workers.code).toBe(0);
    expect(workers.stdout).toMatch(new RegExp(`^${worker.id}\\s+alive\\s+w\\s+1\\s`, 'm'));
    expect(workers.stdout).toContain('3.1.4');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(retryable!);
    expect(list.stdout).toContain('failed: doomed');
    expect(
      (JSON.parse(listJson.stdout) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id).sort(),
    ).toEqual([retryable, doomed].sort());

    const retried = await run(['dlq', 'retry', retryable!]);
    expect(retried).toMatchObject({
      code: 0,
      stdout: `retried ${retryable} (0 cancelled descendants revived)\n`,
    });
    await until(async () => ((await store.getTask(retryable!))?.status === 'completed' ? true : undefined));

    const purged = await run(['dlq', 'purge']);
    expect(purged).toMatchObject({ code: 0, stdout: 'purged 1 dead letter\n' });
    expect((await store.getTask(doomed!))?.status).toBe('cancelled');
    expect((await store.getStats()).deadLetters).toBe(0);
  });
});
