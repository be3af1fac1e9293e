import { BatchNotFoundError, ValidationError } from '../errors.js';
import {
  type AddFileResult,
  type BatchProgress,
  type BatchRecord,
  FILE_STATUSES,
  type FileStatus,
  type NewBatch,
  type NewFile,
  type PipelineFileRecord,
  TASK_STATUSES,
} from '../types.js';
import {
  checkId,
  checkNumber,
  checkObject,
  checkOneOf,
  checkPositiveInt,
  checkText,
  errorMessage,
  toJson,
} from '../validate.js';
import type { StoreCore } from './core.js';

const MIME = /^[A-Za-z0-9][\w!#$&^.+-]*\/[A-Za-z0-9][\w!#$&^.+-]*(\s*;.*)?$/;

function metadataJson(field: string, value: unknown): string {
  if (value === undefined) return '';
  checkObject(field, value);
  const json = toJson(field, value) ?? '';
  if (json.length > 65_536) throw new ValidationError(field, 'must be at most 64 KiB of JSON');
  return json;
}

export async function createBatch(core: StoreCore, input: NewBatch = {}): Promise<string> {
  const batch = checkObject<NewBatch>('batch', input);
  const name =
    batch.name === undefined ? '' : checkText('batch.name', batch.name, { max: 500, allowEmpty: true });
  const id = batch.id === undefined ? '' : checkId('batch.id', batch.id);
  const reply = await core.run('plCreateBatch', [name, metadataJson('batch.metadata', batch.metadata), id]);
  return String(reply[1]);
}

export async function getBatch(core: StoreCore, batchId: string): Promise<BatchRecord | null> {
  const id = checkId('batchId', batchId);
  const [name, createdAt, metadata] = await core.redis.hmget(
    core.keys.batch(id),
    'name',
    'createdAt',
    'metadata',
  );
  if (createdAt === null) return null;
  const batch: BatchRecord = { id, name: name ?? '', createdAt: Number(createdAt) };
  if (metadata) batch.metadata = JSON.parse(metadata);
  return batch;
}

export async function addFile(core: StoreCore, input: NewFile): Promise<AddFileResult> {
  const file = checkObject<NewFile>('file', input);
  const batchId = checkId('file.batchId', file.batchId);
  const path = checkText('file.path', file.path, { max: 4096 });
  const hash = checkText('file.hash', file.hash, { max: 512 });
  const name =
    file.name === undefined
      ? (path.split(/[\\/]/).filter(Boolean).pop() ?? path)
      : checkText('file.name', file.name, { max: 1024 });
  const size = checkPositiveInt('file.size', file.size, 0);
  const mimeType = checkText('file.mimeType', file.mimeType, { max: 255 });
  if (!MIME.test(mimeType)) {
    throw new ValidationError('file.mimeType', 'must look like type/subtype');
  }
  const dedupe = file.dedupe ?? core.options.dedupeByHash;
  const reply = await core.run('plAddFile', [
    batchId,
    path,
    hash,
    name,
    size,
    mimeType,
    dedupe ? '1' : '0',
    metadataJson('file.metadata', file.metadata),
  ]);
  return { fileId: String(reply[1]), duplicate: reply[2] === 1 };
}

const number = (value: string | undefined, fallback = 0) => (value === undefined ? fallback : Number(value));

export function toFileRecord(pipeline: string, fields: Record<string, string>): PipelineFileRecord | null {
  if (fields.id === undefined) return null;
  const file: PipelineFileRecord = {
    id: fields.id,
    pipeline,
    batchId: fields.batchId ?? '',
    path: fields.path ?? '',
    hash: fields.hash ?? '',
    name: fields.name ?? '',
    size: number(fields.size),
    mimeType: fields.mimeType ?? '',
    status: (fields.status ?? 'pending') as FileStatus,
    progress: number(fields.progress),
    createdAt: number(fields.createdAt),
    updatedAt: number(fields.updatedAt),
    tasks: {
      total: number(fields.tasks),
      open: number(fields.open),
      failed: number(fields.failed),
      cancelled: number(fields.cancelled),
    },
  };
  if (fields.error) file.error = fields.error;
  if (fields.metadata) file.metadata = JSON.parse(fields.metadata);
  return file;
}

export async function getFileById(core: StoreCore, fileId: string): Promise<PipelineFileRecord | null> {
  const id = checkId('fileId', fileId);
  return toFileRecord(core.options.pipeline, await core.redis.hgetall(core.keys.file(id)));
}

export async function getFileByIndex(
  core: StoreCore,
  index: 'paths' | 'hashes',
  value: string,
): Promise<PipelineFileRecord | null> {
  const field = index === 'paths' ? 'path' : 'hash';
  const fileId = await core.redis.hget(core.keys[index], checkText(field, value, { max: 4096 }));
  return fileId === null ? null : getFileById(core, fileId);
}

export interface UpdateFileOptions {
  /** 0..100. */
  progress?: number;
  /** What went wrong (an Error's message is used). */
  error?: unknown;
}

export async function updateFileStatus(
  core: StoreCore,
  fileId: string,
  status: FileStatus | undefined,
  options: UpdateFileOptions = {},
): Promise<void> {
  const id = checkId('fileId', fileId);
  const next = status === undefined ? '' : checkOneOf('status', status, FILE_STATUSES);
  const opts = checkObject<UpdateFileOptions>('options', options);
  const progress = opts.progress === undefined ? '' : checkNumber('options.progress', opts.progress, 0, 100);
  const error = opts.error === undefined ? '' : errorMessage(opts.error);
  await core.run('plUpdateFile', [id, next, progress, error]);
}

export async function getFilesOfBatch(core: StoreCore, batchId: string): Promise<PipelineFileRecord[]> {
  const id = checkId('batchId', batchId);
  const ids = (await core.redis.smembers(core.keys.batchFiles(id))).sort(compareIds);
  const pipeline = core.redis.pipeline();
  for (const fileId of ids) pipeline.hgetall(core.keys.file(fileId));
  const replies = (await pipeline.exec()) ?? [];
  return replies
    .map(([, fields]) => toFileRecord(core.options.pipeline, (fields ?? {}) as Record<string, string>))
    .filter((file): file is PipelineFileRecord => file !== null);
}

/** Generated ids sort by creation: same prefix, then shorter (smaller base-36 number) first. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export async function getBatchProgress(core: StoreCore, batchId: string): Promise<BatchProgress> {
  const id = checkId('batchId', batchId);
  const fields = await core.redis.hgetall(core.keys.batch(id));
  if (fields.createdAt === undefined) {
    throw new BatchNotFoundError(`No batch ${id}`, { context: { batchId: id } });
  }
  const tasks = Object.fromEntries(
    TASK_STATUSES.map((s) => [s, number(fields[`t:${s}`])]),
  ) as BatchProgress['tasks'];
  tasks.total = number(fields.tasks);
  const files = Object.fromEntries(
    FILE_STATUSES.map((s) => [s, number(fields[`f:${s}`])]),
  ) as BatchProgress['files'];
  files.total = number(fields.files);
  const finished = tasks.completed + tasks.failed + tasks.cancelled;
  const progress: BatchProgress = {
    batchId: id,
    name: fields.name ?? '',
    tasks,
    files,
    percent: tasks.total === 0 ? 100 : Math.floor((finished / tasks.total) * 10_000) / 100,
    done: fields.done === '1',
    createdAt: number(fields.createdAt),
  };
  if (fields.doneAt !== undefined) progress.doneAt = number(fields.doneAt);
  return progress;
}
