export type { ClusterStats, WorkerTypeStats } from './cluster-stats.js';
export { Coordinator, type DeadLetter } from './coordinator.js';
export type { OldestReady } from './oldest-ready.js';
export type { CoordinatorOptions, SubmitTaskInput } from './options.js';
