import { PipelineStore } from '@covina/core';
import { uniquePrefix, useFaultRedis } from '@covina/testkit';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type JournaledPipelineStore, withOutageJournal } from '../src/index.js';
import { useTempDir } from './helpers.js';

const seq = (id: string) => Number.parseInt(id.slice(1), 36);

describe('the outage journal', () => {
  // Every acknowledged write must survive the kill: fsync each write on the server too.
  const fault = useFaultRedis({ persistent: true, args: ['--appendfsync', 'always'] });
  const dir = useTempDir() as ReturnType<typeof useTempDir> & { create(): Promise<string> };
  const open: Array<{ close(): Promise<void> }> = [];
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    for (const c of clients.splice(0)) c.disconnect();
  });

  function client(): Redis {
    // Fail fast while the server is down (instead of queueing), as createRedis's breaker does.
    const redis = new Redis(fault.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
      lazyConnect: true,
    });
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  }

  async function journaled(path: string, prefix = uniquePrefix()): Promise<JournaledPipelineStore> {
    const redis = client();
    await redis.connect();
    const store = new PipelineStore({ redis, pipeline: 'docs', prefix, leaseMs: 120_000 });
    const j = withOutageJournal(store, { path, replayIntervalMs: 50 });
    open.push(j);
    return j;
  }

  it('keeps writes made while Redis is down and replays them in order, exactly once', async () => {
    const path = `${await dir.create()}/journal.db`;
    const store = await journaled(path);
    const batchId = await store.createBatch({ name: 'inbox' });
    const acked: Array<{ fileId: string; taskIds: string[] }> = [];
    let claimed: Awaited<ReturnType<typeof store.claimTasks>> = [];
    let journaledWrites = 0;

    for (let i = 0; i < 60; i++) {
      if (i === 10) claimed = await store.claimTasks('pre', 5, { workerId: 'w' });
      if (i === 20) await fault.kill();
      if (i === 45) await fault.restart();
      const fileId = await store.addFileToBatch({
        batchId,
        path: `/in/${i}`,
        hash: `h${i}`,
        size: i,
        mimeType: 'text/plain',
      });
      const taskIds = await store.addTasks([
        { fileId, taskType: 'pre', workerType: 'pre', payload: { i } },
        { fileId, taskType: 'nlp', workerType: 'nlp', afterTasks: ['pre'] },
      ]);
      acked.push({ fileId, taskIds });
      if (i >= 20 && i < 25) {
        // Work finished during the outage is reported too.
        const task = claimed[i - 20]!;
        await store.updateTaskStatus(task.id, 'completed', {
          leaseToken: task.leaseToken,
          resultData: { i },
        });
      }
      journaledWrites = Math.max(journaledWrites, store.journalStatus().pending);
    }
    expect(journaledWrites).toBeGreaterThan(40); // the outage really was journaled
    await store.drained();
    expect(store.journalStatus()).toMatchObject({ pending: 0, rejected: 0 });

    // Everything acknowledged is there, once, and tasks were created in acknowledgment order.
    const taskIds = acked.flatMap((a) => a.taskIds.map((id) => store.resolveId(id)));
    expect(taskIds.some((id) => id.startsWith('j~'))).toBe(false);
    expect(new Set(taskIds).size).toBe(120);
    expect(await store.redis.hlen(store.keys.tasks)).toBe(120);
    expect(taskIds.map(seq)).toEqual([...taskIds.map(seq)].sort((a, b) => a - b));
    for (const [i, a] of acked.entries()) {
      const file = await store.getFileById(a.fileId);
      expect(file?.path).toBe(`/in/${i}`);
      const tasks = await store.getTasks(a.taskIds);
      expect(tasks.map((t) => [t.taskType, t.fileId])).toEqual([
        ['pre', file!.id],
        ['nlp', file!.id],
      ]);
    }
    expect((await store.getBatchProgress(batchId)).files.total).toBe(60);
    for (const task of claimed) expect((await store.getTask(task.id))?.status).toBe('completed');
    // Journaled completions unblocked their dependents, as live ones would.
    const nlp = (await store.getTasksForFile(claimed[0]!.fileId!)).find((t) => t.taskType === 'nlp');
    expect(nlp?.status).toBe('ready');
  }, 60_000);

  it('replays a write whose outcome is in doubt without repeating it', async () => {
    const path = `${await dir.create()}/journal.db`;
    const prefix = uniquePrefix();
    const first = await journaled(path, prefix);
    const batchId = await first.createBatch();
    await fault.kill();
    const fileId = await first.addFileToBatch({
      batchId,
      path: '/a',
      hash: 'ha',
      size: 1,
      mimeType: 'text/plain',
    });
    const [taskId] = await first.addTasks([{ fileId, taskType: 'pre', workerType: 'pre' }]);
    const otherBatch = await first.createBatch({ name: 'second' });
    await fault.restart();
    await first.drained();
    const real = {
      file: first.resolveId(fileId),
      task: first.resolveId(taskId!),
      batch: first.resolveId(otherBatch),
    };
    await first.close();

    // As if the process died after sending each write but before recording it: all in doubt again.
    const db = new Database(path);
    db.prepare("UPDATE journal_entries SET state = 'sending'").run();
    db.prepare("UPDATE journal_ids SET state = 'pending', real = NULL").run();
    db.close();
    const second = await journaled(path, prefix);
    await second.drained();
    expect(second.resolveId(fileId)).toBe(real.file);
    expect(second.resolveId(taskId!)).toBe(real.task);
    expect(second.resolveId(otherBatch)).toBe(real.batch);
    expect(await second.redis.hlen(second.keys.tasks)).toBe(1);
    expect(await second.redis.zcard(second.keys.batches)).toBe(2);
    expect((await second.getBatchProgress(batchId)).files.total).toBe(1);
  }, 60_000);

  it('keeps a write the store refuses on replay as rejected, reports it, and goes on', async () => {
    const path = `${await dir.create()}/journal.db`;
    const redis = client();
    await redis.connect();
    const rejected: string[] = [];
    const store = withOutageJournal(new PipelineStore({ redis, pipeline: 'docs', prefix: uniquePrefix() }), {
      path,
      replayIntervalMs: 50,
      onRejected: (entry, error) => rejected.push(`${entry.operation.op}: ${error.message}`),
    });
    open.push(store);
    const batchId = await store.createBatch();
    const [taskId] = await store.addTasks([{ batchId, taskType: 'pre', workerType: 'pre' }]);
    const [claimed] = await store.claimTasks('pre', 1, { workerId: 'w' });
    await fault.kill();
    // A stale lease token: acknowledged now, refused on replay (the lease is not this one).
    await store.updateTaskStatus(taskId!, 'completed', { leaseToken: 'not-the-token' });
    const [later] = await store.addTasks([{ batchId, taskType: 'after', workerType: 'pre' }]);
    await fault.restart();
    await store.drained();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatch(/^updateTaskStatus: task .*lease/i);
    expect(store.rejectedWrites()).toHaveLength(1);
    expect(store.journalStatus()).toMatchObject({ pending: 0, rejected: 1 });
    expect((await store.getTask(taskId!))?.status).toBe('active');
    expect((await store.getTask(later!))?.status).toBe('ready');
    expect(claimed?.id).toBe(taskId);
  }, 60_000);

  it('passes errors that are not about reaching Redis straight to the caller', async () => {
    const store = await journaled(`${await dir.create()}/journal.db`);
    await expect(
      store.addFileToBatch({ batchId: 'b404', path: '/x', hash: 'h', size: 1, mimeType: 'text/plain' }),
    ).rejects.toMatchObject({
      code: 'E_BATCH_NOT_FOUND',
    });
    expect(store.journalStatus().pending).toBe(0);
  });
});
