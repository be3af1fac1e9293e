/** One backed-up key. */
export interface KeyRow {
  scope: string;
  key: Buffer;
  /** Key template name (`pipelineTasks`, …) when the key registry knows the key. */
  keyType: string | null;
  redisType: string;
  /** Absolute expiry, Unix ms; null = none. */
  expireAt: number | null;
  /** DUMP payload. */
  payload: Buffer;
}

/** What one scope of a backup covers. */
export interface ScopeDefinition {
  /** `pipeline:<name>` or `prefix:<prefix>`. */
  name: string;
  kind: 'pipeline' | 'prefix';
  pipeline: string | null;
  /** Every key of the scope starts with this. */
  prefix: string;
}

export interface ScopeRow extends ScopeDefinition {
  keyCount: number;
  bytes: number;
}

export interface BatchRow {
  pipeline: string;
  id: string;
  name: string | null;
  createdAt: number | null;
  /** The batch's hash fields, as JSON text. */
  fields: string;
}

export interface FileRow {
  pipeline: string;
  id: string;
  batchId: string | null;
  path: string | null;
  hash: string | null;
  name: string | null;
  size: number | null;
  mimeType: string | null;
  status: string;
  progress: number | null;
  createdAt: number | null;
  updatedAt: number | null;
  /** The file's hash fields, as JSON text. */
  fields: string;
}

export interface TaskRow {
  pipeline: string;
  id: string;
  status: string;
  taskType: string;
  workerType: string;
  priority: number;
  fileId: string | null;
  batchId: string | null;
  attempts: number;
  maxAttempts: number | null;
  createdAt: number | null;
  finishedAt: number | null;
  error: string | null;
}

/** Column values of a row in ROW_COLUMNS order (what its checksum covers). */
export function batchValues(r: BatchRow): unknown[] {
  return [r.pipeline, r.id, r.name, r.createdAt, r.fields];
}

export function fileValues(r: FileRow): unknown[] {
  return [
    r.pipeline,
    r.id,
    r.batchId,
    r.path,
    r.hash,
    r.name,
    r.size,
    r.mimeType,
    r.status,
    r.progress,
    r.createdAt,
    r.updatedAt,
    r.fields,
  ];
}

export function taskValues(r: TaskRow): unknown[] {
  return [
    r.pipeline,
    r.id,
    r.status,
    r.taskType,
    r.workerType,
    r.priority,
    r.fileId,
    r.batchId,
    r.attempts,
    r.maxAttempts,
    r.createdAt,
    r.finishedAt,
    r.error,
  ];
}

export function scopeValues(r: ScopeRow): unknown[] {
  return [r.name, r.kind, r.pipeline, r.prefix, r.keyCount, r.bytes];
}
