import { setTimeout as sleep } from 'node:timers/promises';
import { defineStage } from '@covina/core';
import { useRedis } from '@covina/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWorkerRegistry,
  InvalidOptionError,
  NonRetryableError,
  type TaskDoneEvent,
  type TaskFailedEvent,
  type TaskStartEvent,
} from '../src/index.js';
import { Opened, until } from './fixtures/harness.js';

const ctx = useRedis();
const opened = new Opened();
afterEach(() => opened.close());

const FAST = { leaseMs: 3_000, heartbeatMs: 200 };

describe('Worker', () => {
  it('runs tasks, stores what the handler returns and emits task:start and task:done', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const ids = await store.addTasks(
      Array.from({ length: 12 }, (_, i) => ({ taskType: 'ocr', workerType: 'ocr', payload: { page: i } })),
    );
    const worker = opened.worker<{ page: number }, { text: string }>({
      store,
      workerType: 'ocr',
      concurrency: 4,
      ...FAST,
      handler: async (task, taskCtx) => {
        expect(taskCtx.workerId).toBe(worker.id);
        expect(taskCtx.signal.aborted).toBe(false);
        return { text: `page ${task.payload!.page}` };
      },
    });
    const started: TaskStartEvent[] = [];
    const done: TaskDoneEvent[] = [];
    worker.on('task:start', (e) => started.push(e));
    worker.on('task:done', (e) => done.push(e));
    await worker.run();

    await until(() => (done.length === 12 ? true : undefined));
    const tasks = await store.getTasks(ids);
    expect(tasks.map((t) => t.status)).toEqual(Array(12).fill('completed'));
    expect(tasks.map((t) => t.resultData)).toEqual(ids.map((_, i) => ({ text: `page ${i}` })));
    expect(new Set(started.map((e) => e.task.id))).toEqual(new Set(ids));
    expect(done.every((e) => e.skipped === false && e.durationMs >= 0)).toBe(true);
    expect(worker.counters).toMatchObject({ running: 0, completed: 12, failed: 0, lost: 0 });
  });

  it('never runs more handlers at once than its concurrency, and uses all of it', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    await store.addTasks(Array.from({ length: 30 }, () => ({ taskType: 'nlp', workerType: 'nlp' })));
    let now = 0;
    let peak = 0;
    let finished = 0;
    // Each handler holds its slot until five run at once (or 10 s passed, so that a worker that
    // never fills them fails here rather than hangs): the worker must fill every slot, and never
    // a sixth.
    let full!: () => void;
    const allFive = new Promise<void>((resolve) => {
      full = resolve;
    });
    const worker = opened.worker({
      store,
      workerType: 'nlp',
      concurrency: 5,
      claimBatchSize: 2,
      ...FAST,
      handler: async () => {
        peak = Math.max(peak, ++now);
        if (now === 5) full();
        await Promise.race([allFive, sleep(10_000)]);
        await sleep(1);
        now--;
        finished++;
      },
    });
    await worker.run();
    await until(() => (finished === 30 ? true : undefined));
    expect(peak).toBe(5);
  });

  it('retries a failing task with backoff, then fails it for good; NonRetryableError fails at once', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const flaky = await store.addTaskToBatch({
      taskType: 'a',
      workerType: 'w',
      maxAttempts: 3,
      payload: 'flaky',
    });
    const broken = await store.addTaskToBatch({
      taskType: 'a',
      workerType: 'w',
      maxAttempts: 3,
      payload: 'broken',
    });
    const bad = await store.addTaskToBatch({
      taskType: 'a',
      workerType: 'w',
      maxAttempts: 3,
      payload: 'bad',
    });
    const attempts: Record<string, number> = {};
    const failed: TaskFailedEvent[] = [];
    const worker = opened.worker<string>({
      store,
      workerType: 'w',
      ...FAST,
      handler: async (task) => {
        attempts[task.payload!] = task.attempt;
        if (task.payload === 'bad') throw new NonRetryableError('the input is malformed');
        if (task.payload === 'broken' || task.attempt < 2) throw new Error(`boom ${task.attempt}`);
        return 'ok';
      },
    });
    worker.on('task:failed', (e) => failed.push(e));
    await worker.run();

    await until(async () => {
      const tasks = await store.getTasks([flaky, broken, bad]);
      return tasks.every((t) => ['completed', 'failed'].includes(t.status)) ? true : undefined;
    });
    const [f, b, x] = await store.getTasks([flaky, broken, bad]);
    expect(f).toMatchObject({ status: 'completed', attempts: 2, resultData: 'ok' });
    expect(b).toMatchObject({ status: 'failed', attempts: 3, error: 'boom 3' });
    expect(x).toMatchObject({ status: 'failed', attempts: 1, error: 'the input is malformed' });
    expect(attempts).toEqual({ flaky: 2, broken: 3, bad: 1 });
    expect(failed.map((e) => [e.task.payload, e.status]).sort()).toEqual(
      [
        ['bad', 'failed'],
        ['broken', 'delayed'],
        ['broken', 'delayed'],
        ['broken', 'failed'],
        ['flaky', 'delayed'],
      ].sort(),
    );
  });

  it('sleeps on wake-ups when idle (no polling) and starts new work as soon as it is added', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const done: string[] = [];
    const worker = opened.worker({
      store,
      workerType: 'idle',
      leaseMs: 60_000,
      heartbeatMs: 20_000,
      registry: false,
      handler: async (task) => {
        done.push(task.id);
      },
    });
    await worker.run();
    const commands = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await ctx.redis.info('stats'))?.[1] ?? Number.NaN);
    await sleep(100);
    const before = await commands();
    await sleep(1_000);
    // The two INFO calls themselves are the only commands: the idle worker sent none.
    expect((await commands()) - before).toBeLessThanOrEqual(2);

    const added = performance.now();
    const id = await store.addTaskToBatch({ taskType: 'x', workerType: 'idle' });
    await until(() => (done.includes(id) ? true : undefined));
    // Woken by the store's wake-up, long before the 5 s safety recheck.
    expect(performance.now() - added).toBeLessThan(2_500);
  });

  it('pause() stops claiming and resume() starts again; tasks in flight finish', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const done: string[] = [];
    const worker = opened.worker({
      store,
      workerType: 'p',
      ...FAST,
      handler: async (task) => {
        if (task.payload === 'first') await gate;
        done.push(task.payload as string);
      },
    });
    await store.addTaskToBatch({ taskType: 'x', workerType: 'p', payload: 'first' });
    await worker.run();
    await until(() => (worker.counters.running === 1 ? true : undefined));
    worker.pause();
    expect(worker.isPaused).toBe(true);
    const second = await store.addTaskToBatch({ taskType: 'x', workerType: 'p', payload: 'second' });
    release();
    await until(() => (done.includes('first') ? true : undefined));
    await sleep(300);
    expect((await store.getTask(second))?.status).toBe('ready');
    worker.resume();
    await until(() => (done.includes('second') ? true : undefined));
    expect(done).toEqual(['first', 'second']);
  });

  it('runs a plugin stage: ctx.file is loaded, a file it does not accept completes as skipped', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const batchId = await store.createBatch();
    const pdf = await store.addFileToBatch({
      batchId,
      path: '/in/a.pdf',
      hash: 'h1',
      size: 10,
      mimeType: 'application/pdf',
    });
    const png = await store.addFileToBatch({
      batchId,
      path: '/in/b.png',
      hash: 'h2',
      size: 10,
      mimeType: 'image/png',
    });
    const ocr = defineStage<{ lang: string }, { chars: number; lang: string }>({
      taskType: 'ocr',
      concurrency: 2,
      accepts: (file) => file.mimeType === 'application/pdf',
      run: async (task, stageCtx) => {
        await stageCtx.reportProgress(50);
        await stageCtx.state.put('last', Buffer.from(task.id));
        expect(stageCtx.capabilities.leaseExtension).toBe(true);
        await stageCtx.extendLease?.(5_000);
        return { chars: stageCtx.file!.size, lang: task.payload!.lang };
      },
    });
    const [a, b] = await store.addTasks([
      { fileId: pdf, taskType: 'ocr', workerType: 'ocr', payload: { lang: 'fr' } },
      { fileId: png, taskType: 'ocr', workerType: 'ocr', payload: { lang: 'de' } },
    ]);
    const stray = await store.addTaskToBatch({ taskType: 'translate', workerType: 'ocr' });
    const skipped: string[] = [];
    const worker = opened.worker({ store, stage: ocr, ...FAST });
    expect(worker.workerType).toBe('ocr');
    expect(worker.options.concurrency).toBe(2);
    worker.on('task:done', (e) => e.skipped && skipped.push(e.task.id));
    await worker.run();

    await until(async () =>
      (await store.getTasks([a!, b!, stray])).every((t) => t.status === 'completed' || t.status === 'failed')
        ? true
        : undefined,
    );
    const [ta, tb, ts] = await store.getTasks([a!, b!, stray]);
    expect(ta).toMatchObject({ status: 'completed', resultData: { chars: 10, lang: 'fr' } });
    expect(tb).toMatchObject({
      status: 'completed',
      resultData: { skipped: true, reason: 'stage ocr does not accept image/png files' },
    });
    expect(skipped).toEqual([b]);
    // A task of a type no stage here runs is a configuration error: failed at once, not retried.
    expect(ts).toMatchObject({ status: 'failed', attempts: 1 });
    expect(ts?.error).toContain('No stage for task type "translate"');
  });

  it('close() while run() is still starting leaves nothing claimed and nothing registered', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const id = await store.addTaskToBatch({ taskType: 'x', workerType: 'w' });
    const worker = opened.worker({ store, workerType: 'w', ...FAST, handler: () => 'ran' });
    const closed: string[] = [];
    worker.on('closed', () => closed.push('closed'));
    const starting = worker.run();
    await worker.close();
    await starting;
    expect(closed).toEqual(['closed']);
    expect(worker.isRunning).toBe(false);
    expect((await store.getTask(id))?.status).toBe('ready');
    const registry = createWorkerRegistry({ redis: ctx.client(), prefix: ctx.prefix, namespace: 'docs' });
    expect(await registry.listWorkers()).toEqual([]);
    await registry.close();
    await expect(worker.run()).rejects.toThrow('already started');
  });

  it('refuses bad options with InvalidOptionError naming the option', async () => {
    const store = opened.store(ctx.redis, ctx.prefix);
    const handler = async () => {};
    const cases: Array<[object, string]> = [
      [{ store, handler }, 'workerType'],
      [{ store, workerType: 'a b', handler }, 'workerType'],
      [{ store, workerType: 'w' }, 'handler'],
      [{ store, workerType: 'w', handler, concurrency: 0 }, 'concurrency'],
      [{ store, workerType: 'w', handler, leaseMs: 1_000, heartbeatMs: 600 }, 'heartbeatMs'],
      [{ store, workerType: 'w', handler, timeoutMs: -1 }, 'timeoutMs'],
      [{ store: {}, workerType: 'w', handler }, 'store'],
      [{ store, workerType: 'w', handler, workerId: 'a:b' }, 'workerId'],
    ];
    for (const [options, option] of cases) {
      let caught: unknown;
      try {
        opened.worker(options as never);
      } catch (error) {
        caught = error;
      }
      expect(caught, option).toBeInstanceOf(InvalidOptionError);
      expect((caught as InvalidOptionError).context.option).toBe(option);
    }
  });
});
