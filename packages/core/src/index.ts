export { errors } from './all-errors.js';
export * from './connection/index.js';
export * from './pipeline/index.js';
export * from './plugins/index.js';
export * from './state/index.js';
