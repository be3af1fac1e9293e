import { coordinationTemplates } from './coordination.js';
import { pipelineTemplates } from './pipeline.js';
import { rateTemplates } from './rate.js';
import { standardTemplates } from './standard.js';
import { stateTemplates } from './state.js';

/** Every template COVINA packages use, one file per area; registered by `createKeyRegistry()`. */
export const defaultTemplates = {
  ...standardTemplates,
  ...pipelineTemplates,
  ...stateTemplates,
  ...rateTemplates,
  ...coordinationTemplates,
} as const;

export { coordinationTemplates, pipelineTemplates, rateTemplates, standardTemplates, stateTemplates };
