import { lockErrors } from './locks/index.js';
import { registryErrors } from './registry/index.js';
import { workerErrors } from './worker/index.js';

export * from './coordinator/index.js';
export * from './locks/index.js';
export * from './registry/index.js';
export * from './worker/index.js';

/** Every error class of this package, by code. */
export const errors = { ...lockErrors, ...registryErrors, ...workerErrors } as const;
