import { PipelineStore, type PipelineStoreOptions, type TaskRecord } from '@covina/core';
import type { Cluster, Redis } from 'ioredis';

export function makeStore(
  redis: Redis | Cluster,
  prefix: string,
  overrides: Partial<PipelineStoreOptions> = {},
): PipelineStore {
  return new PipelineStore({
    redis,
    pipeline: 'docs',
    prefix,
    leaseMs: 600_000,
    backoff: { baseMs: 60_000, maxMs: 120_000 },
    inlineBytes: 64,
    bulkChunkSize: 1000,
    ...overrides,
  });
}

/**
 * A pipeline with tasks in every state: per file a chain pre → nlp → index (`afterTasks`), plus
 * tasks depending on tasks of other files (`dependsOn`); then some claimed (active), completed
 * (some with large, out-of-line results), failed for good (dead letters), retried (delayed by
 * backoff), delayed by `delayMs`, cancelled (with their descendants). Returns every task id.
 */
export async function seedPipeline(store: PipelineStore, files: number): Promise<string[]> {
  const batchId = await store.createBatch({ name: 'inbox', metadata: { source: 'test' } });
  const fileIds: string[] = [];
  for (let i = 0; i < files; i++) {
    fileIds.push(
      await store.addFileToBatch({
        batchId,
        path: `/inbox/${i}.pdf`,
        hash: `sha-${i}`,
        size: 1000 + i,
        mimeType: 'application/pdf',
        ...(i % 7 === 0 ? { metadata: { pages: i } } : {}),
      }),
    );
  }
  const tasks = fileIds.flatMap((fileId, i) => [
    {
      fileId,
      taskType: 'pre',
      workerType: 'pre',
      priority: i % 3,
      payload: i % 5 === 0 ? { text: 'x'.repeat(3000), i } : { i },
    },
    { fileId, taskType: 'nlp', workerType: 'nlp', priority: 5, afterTasks: ['pre'], payload: { i } },
    { fileId, taskType: 'index', workerType: 'index', afterTasks: ['nlp'] },
  ]);
  const ids = await store.addTasks(tasks);
  const extra = await store.addTasks(
    fileIds.slice(0, Math.max(1, Math.floor(files / 10))).map((fileId, i) => ({
      fileId,
      taskType: 'report',
      workerType: 'report',
      dependsOn: [ids[3 * ((i + 1) % files)]!, ids[3 * i + 1]!],
      idempotencyKey: `report-${i}`,
    })),
  );
  const delayed = await store.addTasks(
    fileIds.slice(0, Math.max(1, Math.floor(files / 20))).map((fileId) => ({
      fileId,
      taskType: 'later',
      workerType: 'pre',
      delayMs: 3_600_000,
    })),
  );

  // Work through part of it: claim pre tasks, then complete / fail / retry / leave active.
  const claimed = await store.claimTasks('pre', Math.floor(files * 0.8), { workerId: 'w1' });
  for (const [i, task] of claimed.entries()) {
    const token = task.leaseToken;
    if (i % 10 < 6) {
      await store.updateTaskStatus(task.id, 'completed', {
        leaseToken: token,
        resultData: i % 4 === 0 ? { summary: 'y'.repeat(2000), i } : { ok: true, i },
      });
    } else if (i % 10 === 6) {
      await store.updateTaskStatus(task.id, 'failed', {
        leaseToken: token,
        error: new Error(`bad ${i}`),
        retryable: false,
      });
    } else if (i % 10 === 7) {
      await store.updateTaskStatus(task.id, 'failed', { leaseToken: token, error: `flaky ${i}` });
    } else if (i % 10 === 8) {
      await store.reportProgress(task.id, token, 40);
    }
  }
  const nlp = await store.claimTasks('nlp', Math.floor(files * 0.2), { workerId: 'w2' });
  for (const task of nlp.slice(0, Math.floor(nlp.length / 2))) {
    await store.updateTaskStatus(task.id, 'completed', { leaseToken: task.leaseToken, resultData: { n: 1 } });
  }
  for (const id of ids.filter((_, i) => i % 3 === 0).slice(-Math.max(1, Math.floor(files / 15)))) {
    await store.cancelTask(id, { reason: 'not needed' });
  }
  return [...ids, ...extra, ...delayed];
}

/** Every task, read through the store's public API. */
export async function readAll(
  store: PipelineStore,
  ids: readonly string[],
): Promise<Map<string, TaskRecord>> {
  const out = new Map<string, TaskRecord>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const task of await store.getTasks(ids.slice(i, i + 500))) out.set(task.id, task);
  }
  return out;
}

/**
 * A larger pipeline, built in bulk: `files` files with a 3-task chain and 7 independent tasks
 * each (10 tasks per file), then 20% of the first tasks completed, 1% failed for good, 2% left
 * active, and a few cancelled. Returns every task id.
 */
export async function seedLargePipeline(store: PipelineStore, files: number): Promise<string[]> {
  const batchId = await store.createBatch({ name: 'large' });
  const fileIds: string[] = [];
  for (let i = 0; i < files; i += 500) {
    const slice = Array.from({ length: Math.min(500, files - i) }, (_, j) => i + j);
    fileIds.push(
      ...(await Promise.all(
        slice.map((n) =>
          store.addFileToBatch({
            batchId,
            path: `/large/${n}.pdf`,
            hash: `large-${n}`,
            size: n,
            mimeType: 'application/pdf',
          }),
        ),
      )),
    );
  }
  const ids: string[] = [];
  for (let i = 0; i < fileIds.length; i += 100) {
    const tasks = fileIds.slice(i, i + 100).flatMap((fileId, j) => [
      { fileId, taskType: 'pre', workerType: 'pre', priority: (i + j) % 5, payload: { n: i + j } },
      { fileId, taskType: 'ocr', workerType: 'ocr', afterTasks: ['pre'] },
      { fileId, taskType: 'nlp', workerType: 'nlp', afterTasks: ['ocr'] },
      ...Array.from({ length: 7 }, (_, k) => ({
        fileId,
        taskType: `embed${k}`,
        workerType: 'embed',
        priority: k,
      })),
    ]);
    ids.push(...(await store.addTasks(tasks)));
  }
  const claimed = await store.claimTasks('pre', Math.floor(files * 0.23), { workerId: 'large' });
  await Promise.all(
    claimed.map((task, n) => {
      if (n % 23 < 20) {
        return store.updateTaskStatus(task.id, 'completed', {
          leaseToken: task.leaseToken,
          resultData: { n },
        });
      }
      if (n % 23 === 20) {
        return store.updateTaskStatus(task.id, 'failed', {
          leaseToken: task.leaseToken,
          error: 'bad',
          retryable: false,
        });
      }
      return undefined;
    }),
  );
  for (const id of ids.filter((_, i) => i % 10 === 9).slice(0, Math.ceil(files / 50))) {
    await store.cancelTask(id, { reason: 'not needed' });
  }
  return ids;
}
