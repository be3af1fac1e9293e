export {
  registryErrors,
  type WorkerEvictedContext,
  WorkerEvictedError,
  type WorkerIdTakenContext,
  WorkerIdTakenError,
} from './errors.js';
export type {
  DeadWorkerContext,
  OnWorkerDead,
  RegisterWorkerOptions,
  SweeperOptions,
  SweepOptions,
  WorkerRegistryOptions,
} from './options.js';
export { REGISTRY_SCRIPTS_VERSION, RegistryReply, registryScripts } from './scripts.js';
export { type SweepResult, sweepLockName } from './sweep.js';
export type { DeadWorkerSweeper } from './sweeper.js';
export type { WorkerDescription, WorkerRecord, WorkerRecovery } from './worker-record.js';
export type { WorkerRegistration } from './worker-registration.js';
export { createWorkerRegistry, WorkerRegistry } from './worker-registry.js';
