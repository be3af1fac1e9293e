import { statusOf, type TaskMeta } from '@covina/core';
import type { KeyRow } from '../file/rows.js';
import type { BackupFileWriter } from '../file/writer.js';
import type { BackupKeyRegistry } from '../options.js';
import { decodeHash, forEachHashField } from '../rdb/decode-value.js';
import type { SnapshotSink } from '../snapshot/types.js';

export interface DerivedCounts {
  tasks: number;
  files: number;
  batches: number;
  /** Tasks by status. */
  byStatus: Record<string, number>;
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** The hash task rows are made of: kept in memory until the snapshot is complete. */
const TASK_HASHES = new Set(['pipelineTasks']);

type Parsed = { name: string; params: Record<string, string> };

/**
 * Sits between a snapshot and the backup file: every key goes to the file, and pipeline keys
 * also become rows as they pass (files and batches at once; tasks at the end, from the task
 * hashes held in memory). Nothing is read back from the file, and a key captured again or
 * deleted later (tracked method) replaces or removes its row: the rows describe exactly the
 * snapshot's instant.
 */
export class PipelineRowSink implements SnapshotSink {
  /** `<pipeline>` → template name → payload of that pipeline's task hashes. */
  readonly #taskHashes = new Map<string, Map<string, Buffer>>();

  constructor(
    private readonly writer: BackupFileWriter,
    private readonly registry: BackupKeyRegistry,
    private readonly pipelines: ReadonlySet<string>,
  ) {}

  putKey(row: KeyRow): void {
    this.writer.putKey(row);
    const parsed = this.#parse(row.key);
    if (!parsed) return;
    const pipeline = parsed.params.pipeline!;
    if (TASK_HASHES.has(parsed.name)) {
      const hashes = this.#taskHashes.get(pipeline) ?? new Map<string, Buffer>();
      this.#taskHashes.set(pipeline, hashes);
      hashes.set(parsed.name, row.payload);
    } else if (parsed.name === 'pipelineFile') {
      this.#putFile(pipeline, decodeHash(row.payload));
    } else if (parsed.name === 'pipelineBatch') {
      this.#putBatch(pipeline, parsed.params.batchId!, decodeHash(row.payload));
    }
  }

  deleteKey(key: Buffer, scope: string): void {
    this.writer.deleteKey(key, scope);
    const parsed = this.#parse(key);
    if (!parsed) return;
    const pipeline = parsed.params.pipeline!;
    if (TASK_HASHES.has(parsed.name)) this.#taskHashes.get(pipeline)?.delete(parsed.name);
    else if (parsed.name === 'pipelineFile')
      this.writer.deleteRow('backup_files', pipeline, parsed.params.fileId!);
    else if (parsed.name === 'pipelineBatch')
      this.writer.deleteRow('backup_batches', pipeline, parsed.params.batchId!);
  }

  clearScopes(scopes: readonly string[]): void {
    this.writer.clearScopes(scopes);
    for (const pipeline of this.pipelines) {
      if (!scopes.includes(`pipeline:${pipeline}`)) continue;
      this.#taskHashes.delete(pipeline);
      this.writer.clearPipelineRows(pipeline);
    }
  }

  /** Writes the task rows of every pipeline; returns the rows written. */
  finish(): DerivedCounts {
    const counts: DerivedCounts = { tasks: 0, files: 0, batches: 0, byStatus: {} };
    for (const pipeline of this.pipelines) {
      const tasks = this.#taskHashes.get(pipeline)?.get('pipelineTasks');
      if (tasks) this.#putTasks(pipeline, tasks, counts);
      counts.files += this.writer.countRows('backup_files', pipeline);
      counts.batches += this.writer.countRows('backup_batches', pipeline);
    }
    this.#taskHashes.clear();
    return counts;
  }

  #parse(key: Buffer): Parsed | null {
    const parsed = this.registry.parse(key.toString('utf8')) as Parsed | undefined;
    if (!parsed?.name.startsWith('pipeline') || !this.pipelines.has(parsed.params.pipeline ?? ''))
      return null;
    return parsed;
  }

  #putFile(pipeline: string, fields: Map<string, Buffer>): void {
    const plain: Record<string, string> = {};
    for (const [k, v] of fields) plain[k] = v.toString('utf8');
    if (plain.id === undefined) return;
    this.writer.putFile({
      pipeline,
      id: plain.id,
      batchId: plain.batchId ?? null,
      path: plain.path ?? null,
      hash: plain.hash ?? null,
      name: plain.name ?? null,
      size: num(plain.size),
      mimeType: plain.mimeType ?? null,
      status: plain.status ?? 'pending',
      progress: num(plain.progress),
      createdAt: num(plain.createdAt),
      updatedAt: num(plain.updatedAt),
      fields: JSON.stringify(plain),
    });
  }

  #putBatch(pipeline: string, id: string, fields: Map<string, Buffer>): void {
    const plain: Record<string, string> = {};
    for (const [k, v] of fields) plain[k] = v.toString('utf8');
    if (plain.createdAt === undefined) return;
    this.writer.putBatch({
      pipeline,
      id,
      name: plain.name ?? null,
      createdAt: num(plain.createdAt),
      fields: JSON.stringify(plain),
    });
  }

  /** One row per task, from the task hash (the full records stay in backup_keys). */
  #putTasks(pipeline: string, tasks: Buffer, counts: DerivedCounts): void {
    forEachHashField(tasks, (id, value) => {
      // Only the meta line is decoded: `<meta JSON>\n<payload>[\n<result>]`.
      const nl = value.indexOf(0x0a);
      const meta = JSON.parse(value.toString('utf8', 0, nl < 0 ? value.length : nl)) as TaskMeta;
      const status = statusOf(meta);
      // Values in ROW_COLUMNS.backup_tasks order.
      this.writer.putTaskValues([
        pipeline,
        id,
        status,
        meta.y,
        meta.w,
        meta.p,
        meta.f ?? null,
        meta.b ?? null,
        meta.a ?? 0,
        meta.m ?? null,
        // Times are strings of digits since core's scripts v3 (numbers before).
        meta.c === undefined ? null : Number(meta.c),
        meta.e === undefined ? null : Number(meta.e),
        meta.E ?? null,
      ]);
      counts.tasks++;
      counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
    });
  }
}
