import { connectionErrors } from './errors/connection-errors.js';
import { scriptErrors } from './errors/script-errors.js';
import { pipelineErrors } from './pipeline/errors.js';
import { pluginErrors } from './plugins/errors.js';
import { stateErrors } from './state/errors.js';

/** Every error class @covina/core throws, by its stable code (`errors.E_LEASE_LOST`, …). */
export const errors = {
  ...connectionErrors,
  ...scriptErrors,
  ...pipelineErrors,
  ...stateErrors,
  ...pluginErrors,
} as const;
