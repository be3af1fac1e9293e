import { CovinaError } from './covina-error.js';

/**
 * A Lua script is declared wrongly: a bad name or key count, or a source without the header
 * comment documenting its KEYS, ARGV and return value.
 */
export class ScriptDefinitionError extends CovinaError<{ script: string; problem: string }> {
  static override readonly code = 'E_SCRIPT_DEFINITION';
  declare readonly context: { script: string; problem: string };
}

/** Two different sources were registered under one versioned command name on one client. */
export class ScriptConflictError extends CovinaError<{ command: string }> {
  static override readonly code = 'E_SCRIPT_CONFLICT';
  declare readonly context: { command: string };
}

/** A script was run with a name that was not loaded, or with the wrong number of keys. */
export class ScriptCallError extends CovinaError<{
  script: string;
  expectedKeys?: number;
  actualKeys?: number;
}> {
  static override readonly code = 'E_SCRIPT_CALL';
  declare readonly context: { script: string; expectedKeys?: number; actualKeys?: number };
}

/** Errors of the Lua script loader, by code. */
export const scriptErrors = {
  E_SCRIPT_DEFINITION: ScriptDefinitionError,
  E_SCRIPT_CONFLICT: ScriptConflictError,
  E_SCRIPT_CALL: ScriptCallError,
} as const;
