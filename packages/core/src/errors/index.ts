export {
  type ConnectionConfigContext,
  ConnectionConfigError,
  type ConnectionPoolExhaustedContext,
  ConnectionPoolExhaustedError,
  connectionErrors,
  type RedisAuthContext,
  RedisAuthError,
  type RedisTimeoutContext,
  RedisTimeoutError,
  type RedisUnavailableContext,
  RedisUnavailableError,
  type UnavailableReason,
} from './connection-errors.js';
export { CovinaError, type CovinaErrorOptions, isCovinaError } from './covina-error.js';
export {
  ScriptCallError,
  ScriptConflictError,
  ScriptDefinitionError,
  scriptErrors,
} from './script-errors.js';
