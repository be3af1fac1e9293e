export { type CompressionAlgorithm, decodeBlobSync } from './codec/blob.js';
// The stored record format, for tools that read snapshots without a store (e.g. @covina/backup).
export { type RawTask, splitRecord, statusOf, type TaskMeta, toTaskRecord } from './codec/task-record.js';
export {
  BatchNotFoundError,
  DependencyCycleError,
  FileNotFoundError,
  type InvalidStateContext,
  InvalidStateError,
  type LeaseLostContext,
  LeaseLostError,
  type PayloadTooLargeContext,
  PayloadTooLargeError,
  PipelineScriptError,
  pipelineErrors,
  type TaskNotFoundContext,
  TaskNotFoundError,
  type ValidationContext,
  ValidationError,
} from './errors.js';
export type { KeyFormatter, PipelineKeys } from './keys.js';
export type { PipelineStoreOptions, ResolvedPipelineOptions } from './options.js';
export {
  type NewPartitionedFile,
  PartitionedPipeline,
  type PartitionedPipelineOptions,
} from './partitioned-pipeline.js';
export { PipelineStore, type WaitForWorkOptions } from './pipeline-store.js';
export type {
  EventSubscription,
  PipelineEventListener,
  ReadEventsOptions,
  SubscribeOptions,
} from './store/events.js';
export type { UpdateFileOptions } from './store/files.js';
export {
  type AddFileResult,
  type BatchProgress,
  type BatchRecord,
  type ClaimedTaskRecord,
  type ClaimOptions,
  FILE_STATUSES,
  FINAL_TASK_STATUSES,
  type FileStatus,
  type ListTasksOptions,
  type NewBatch,
  type NewFile,
  type NewTask,
  type PipelineEvent,
  type PipelineFileRecord,
  type PipelineStats,
  type StreamEvent,
  TASK_STATUSES,
  type TaskErrorEntry,
  type TaskPage,
  type TaskRecord,
  type TaskStatus,
  type UpdateTaskOptions,
} from './types.js';
