import { decodeBlobSync, splitRecord, type TaskRecord, toTaskRecord } from '@covina/core';

/**
 * Decoding of PipelineStore records as stored in Redis, to turn a snapshot into rows without
 * asking Redis (the rows then describe exactly the snapshot), with @covina/core's own record
 * codec; the round-trip tests compare every decoded task with `PipelineStore.getTask`.
 */

/** A task as `PipelineStore.getTask` returns it. */
export type DecodedTask = TaskRecord;

/** Out-of-line payloads and results (task id → blob), from the payloads and results hashes. */
export interface OutOfLine {
  payloads: ReadonlyMap<string, Buffer>;
  results: ReadonlyMap<string, Buffer>;
}

/** `<meta JSON>\n<inline payload>[\n<inline result>]`, out-of-line parts looked up by id. */
export function decodeTask(pipeline: string, id: string, raw: string, outOfLine?: OutOfLine): DecodedTask {
  const record = splitRecord(id, raw);
  const blob = (map: ReadonlyMap<string, Buffer> | undefined) => {
    const value = map?.get(id);
    return value === undefined ? undefined : decodeBlobSync(value);
  };
  const payloadJson = record.meta.D === 1 ? blob(outOfLine?.payloads) : undefined;
  const resultJson = record.meta.R === 2 ? blob(outOfLine?.results) : undefined;
  return toTaskRecord(pipeline, record, {
    ...(payloadJson === undefined ? {} : { payloadJson }),
    ...(resultJson === undefined ? {} : { resultJson }),
  });
}

/** A file as `PipelineStore.getFileById` returns it, from its hash fields. */
export function decodeFile(pipeline: string, fields: Map<string, Buffer>): Record<string, unknown> | null {
  const get = (name: string) => fields.get(name)?.toString('utf8');
  const id = get('id');
  if (id === undefined) return null;
  const num = (name: string) => {
    const v = get(name);
    return v === undefined ? 0 : Number(v);
  };
  const file: Record<string, unknown> = {
    id,
    pipeline,
    batchId: get('batchId') ?? '',
    path: get('path') ?? '',
    hash: get('hash') ?? '',
    name: get('name') ?? '',
    size: num('size'),
    mimeType: get('mimeType') ?? '',
    status: get('status') ?? 'pending',
    progress: num('progress'),
    createdAt: num('createdAt'),
    updatedAt: num('updatedAt'),
    tasks: { total: num('tasks'), open: num('open'), failed: num('failed'), cancelled: num('cancelled') },
  };
  const error = get('error');
  if (error) file.error = error;
  const metadata = get('metadata');
  if (metadata) file.metadata = JSON.parse(metadata);
  return file;
}

/** A batch as `PipelineStore.getBatch` returns it. */
export function decodeBatch(id: string, fields: Map<string, Buffer>): Record<string, unknown> | null {
  const createdAt = fields.get('createdAt')?.toString('utf8');
  if (createdAt === undefined) return null;
  const batch: Record<string, unknown> = {
    id,
    name: fields.get('name')?.toString('utf8') ?? '',
    createdAt: Number(createdAt),
  };
  const metadata = fields.get('metadata')?.toString('utf8');
  if (metadata) batch.metadata = JSON.parse(metadata);
  return batch;
}
