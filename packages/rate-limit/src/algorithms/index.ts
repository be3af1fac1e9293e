import type { Algorithm } from '../types.js';
import { fixedWindow } from './fixed-window.js';
import { gcra } from './gcra.js';
import type { AlgorithmModel } from './model.js';
import { slidingLog } from './sliding-log.js';
import { slidingWindow } from './sliding-window.js';
import { tokenBucket } from './token-bucket.js';

export type { AlgorithmModel, CheckOutcome, RuleNumbers } from './model.js';
export { fixedWindow, gcra, slidingLog, slidingWindow, tokenBucket };

/** Every algorithm's in-memory model, by name. */
export const models: { readonly [A in Algorithm]: AlgorithmModel<unknown> } = {
  'fixed-window': fixedWindow as AlgorithmModel<unknown>,
  'sliding-window': slidingWindow as AlgorithmModel<unknown>,
  'sliding-log': slidingLog as AlgorithmModel<unknown>,
  'token-bucket': tokenBucket as AlgorithmModel<unknown>,
  gcra: gcra as AlgorithmModel<unknown>,
};
