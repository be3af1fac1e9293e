import { randomBytes } from 'node:crypto';
import type { FileStatus, NewBatch, NewFile, NewTask, PipelineStore, TaskStatus } from '@covina/core';
import { isCovinaError } from '@covina/core';

/** Task status update as journaled: the error is kept as its message. */
export interface JournaledTaskUpdate {
  leaseToken: string;
  resultData?: unknown;
  error?: string;
  retryable?: boolean;
  progress?: number;
}

/**
 * A write as the journal keeps it. New records carry a provisional id from the start: it marks
 * them in Redis (batch and file `metadata.covinaJournalId`, task idempotency key), so a write
 * whose outcome is unknown (the connection broke after it was sent) is found, never repeated.
 */
export type JournalOperation =
  | { op: 'createBatch'; id: string; batch: NewBatch }
  | { op: 'addFile'; id: string; file: NewFile }
  | { op: 'addTasks'; ids: string[]; tasks: NewTask[] }
  | {
      op: 'updateFileStatus';
      fileId: string;
      status: FileStatus;
      options: { progress?: number; error?: string };
    }
  | { op: 'updateTaskStatus'; taskId: string; status: TaskStatus; options: JournaledTaskUpdate };

/** Ids handed out for records not in Redis yet start with this; never mistaken for real ones. */
export const PROVISIONAL = 'j~';

export function provisionalId(): string {
  return `${PROVISIONAL}${randomBytes(16).toString('base64url')}`;
}

export function isProvisional(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(PROVISIONAL);
}

/** Metadata field marking batches and files created through the journal wrapper. */
export const JOURNAL_MARK = 'covinaJournalId';

/** A write that can no longer be applied (the store refused it, or an id it uses was refused). */
export class ReplayRejection extends Error {
  override name = 'ReplayRejection';
}

/** Provisional id → real id; throws ReplayRejection for ids whose write was refused. */
export type Translate = (id: string) => string;

export interface Applied {
  /** [provisional, real] pairs of the records the write created. */
  ids: Array<[string, string]>;
  /** What the store returned. */
  value: unknown;
}

async function findBatchByMark(store: PipelineStore, id: string): Promise<string | null> {
  const recent = await store.redis.zrange(store.keys.batches, -1000, -1);
  for (const batchId of recent.reverse()) {
    const batch = await store.getBatch(batchId);
    if (batch?.metadata?.[JOURNAL_MARK] === id) return batchId;
  }
  return null;
}

/**
 * Applies one write to the store. `inDoubt`: it may have been applied already (looked up
 * first). `replaying`: a lease lost since the write was journaled is checked against the
 * task's state (already in effect counts as done) instead of being thrown as is.
 */
export async function applyOperation(
  store: PipelineStore,
  operation: JournalOperation,
  translate: Translate,
  options: { inDoubt: boolean; replaying: boolean },
): Promise<Applied> {
  switch (operation.op) {
    case 'createBatch': {
      const existing = options.inDoubt ? await findBatchByMark(store, operation.id) : null;
      const real = existing ?? (await store.createBatch(operation.batch));
      return { ids: [[operation.id, real]], value: real };
    }
    case 'addFile': {
      const file = { ...operation.file, batchId: translate(operation.file.batchId) };
      if (options.inDoubt) {
        const existing = await store.getFileByPath(file.path);
        if (existing?.metadata?.[JOURNAL_MARK] === operation.id) {
          return { ids: [[operation.id, existing.id]], value: { fileId: existing.id, duplicate: false } };
        }
      }
      const result = await store.addFile(file);
      return { ids: [[operation.id, result.fileId]], value: result };
    }
    case 'addTasks': {
      const tasks = operation.tasks.map((task) => ({
        ...task,
        ...(task.fileId === undefined ? {} : { fileId: translate(task.fileId) }),
        ...(task.batchId === undefined ? {} : { batchId: translate(task.batchId) }),
        ...(task.dependsOn === undefined ? {} : { dependsOn: task.dependsOn.map(translate) }),
      }));
      const real = await store.addTasks(tasks);
      return { ids: operation.ids.map((id, i) => [id, real[i]!]), value: real };
    }
    case 'updateFileStatus': {
      await store.updateFileStatus(translate(operation.fileId), operation.status, operation.options);
      return { ids: [], value: undefined };
    }
    case 'updateTaskStatus': {
      const taskId = translate(operation.taskId);
      try {
        return { ids: [], value: await store.updateTaskStatus(taskId, operation.status, operation.options) };
      } catch (error) {
        if (!options.replaying) throw error;
        if (!isCovinaError(error, 'E_LEASE_LOST') && !isCovinaError(error, 'E_INVALID_STATE')) throw error;
        // Already in effect (a first attempt got through), or overtaken (the lease expired meanwhile).
        const task = await store.getTask(taskId);
        const requested = operation.status;
        const inEffect =
          task !== null &&
          (task.status === requested ||
            (requested === 'failed' && task.status !== 'active' && task.error === operation.options.error));
        if (!inEffect) throw new ReplayRejection(`task ${taskId}: ${(error as Error).message}`);
        return { ids: [], value: task.status };
      }
    }
  }
}
