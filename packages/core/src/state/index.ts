export type {
  StateCheckpoint,
  StateCheckpointEntry,
  StateRestoreOptions,
  StateRestoreResult,
} from './checkpoint.js';
export {
  StateAbortedError,
  StateCommandError,
  type StatePayloadTooLargeContext,
  StatePayloadTooLargeError,
  type StateRedisContext,
  type StateScanTimeoutContext,
  StateScanTimeoutError,
  StateUnavailableError,
  type StateValidationContext,
  StateValidationError,
  stateErrors,
} from './errors.js';
export { decodeKey as decodeStateKey, encodeKey as encodeStateKey } from './key-codec.js';
export type { StateScanOptions, StateStoreOptions } from './options.js';
export type {
  StateHealth,
  StateMemoryUsage,
  StateMemoryUsageOptions,
  StateNodeHealth,
} from './reports.js';
export { type StateBatchPutOptions, type StateEntries, StateStore } from './state-store.js';
export type { StateOperationStats, StateStoreStats } from './stats.js';
export type { StateValue } from './value.js';
