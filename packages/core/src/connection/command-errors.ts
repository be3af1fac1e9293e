import { RedisAuthError, RedisTimeoutError, RedisUnavailableError } from '../errors/connection-errors.js';
import { isCovinaError } from '../errors/covina-error.js';

/** How a command's outcome bears on the server's health. */
export type Outcome = 'healthy' | 'unreachable' | 'unrelated';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// The messages ioredis rejects commands with when it cannot deliver them.
const UNREACHABLE_MESSAGES = [
  'Connection is closed',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
  "Cluster isn't ready",
  'None of startup nodes is available',
  'Failed to refresh slots cache',
];

const TIMED_OUT = 'Command timed out';

// Commands whose arguments carry credentials; ioredis attaches the failed command to its errors.
const SECRET_COMMANDS = new Set(['auth', 'hello', 'migrate', 'config', 'acl']);
const AUTH_FAILURE = /^(WRONGPASS|NOAUTH|ERR invalid password|ERR AUTH)/;

/**
 * Scrubs an error in place before anyone can log it: secrets out of its message, and the
 * arguments of a credential-carrying command ioredis attached (`error.command.args`).
 */
export function scrubError(error: unknown, redact: (text: string) => string): void {
  if (!(error instanceof Error)) return;
  const clean = redact(error.message);
  if (clean !== error.message) error.message = clean;
  const command = (error as { command?: { name?: unknown; args?: unknown } }).command;
  if (command && typeof command.name === 'string' && SECRET_COMMANDS.has(command.name.toLowerCase())) {
    command.args = ['***'];
  }
}

/** Did ioredis or the network fail to deliver this command (as opposed to Redis refusing it)? */
export function isUnreachable(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'ClusterAllFailedError') return true;
  return UNREACHABLE_MESSAGES.some((message) => error.message.startsWith(message));
}

/** Classifies a command's rejection: a Redis error reply still proves the server answered. */
export function outcomeOf(error: unknown): Outcome {
  if (error instanceof RedisUnavailableError || error instanceof RedisTimeoutError) return 'unreachable';
  if (error instanceof RedisAuthError) return 'healthy';
  if (!(error instanceof Error)) return 'unrelated';
  if (error.name === 'ReplyError') return 'healthy';
  if (error.message === TIMED_OUT || isUnreachable(error)) return 'unreachable';
  return 'unrelated';
}

export interface MapContext {
  endpoint: string;
  username?: string;
  command: string;
  commandTimeoutMs: number;
  redact: (text: string) => string;
}

/**
 * Turns ioredis's delivery failures into typed errors (`RedisTimeoutError`,
 * `RedisUnavailableError`, original as `cause`); every other error passes through unchanged.
 */
export function toConnectionError(error: unknown, context: MapContext): unknown {
  if (!(error instanceof Error) || isCovinaError(error)) return error;
  scrubError(error, context.redact);
  const { endpoint, command } = context;
  if (error.name === 'ReplyError') {
    if (!AUTH_FAILURE.test(error.message)) return error;
    return new RedisAuthError(`Redis at ${endpoint} refused the credentials: ${error.message}`, {
      context: context.username === undefined ? { endpoint } : { endpoint, username: context.username },
      cause: error,
    });
  }
  if (error.message === TIMED_OUT) {
    return new RedisTimeoutError(
      `Redis at ${endpoint} did not answer ${command} within ${context.commandTimeoutMs} ms`,
      {
        context: { endpoint, command, timeoutMs: context.commandTimeoutMs },
        cause: error,
      },
    );
  }
  if (isUnreachable(error)) {
    return new RedisUnavailableError(
      `Redis at ${endpoint} is unavailable (${command}): ${context.redact(error.message)}`,
      { context: { endpoint, reason: 'disconnected', command }, cause: error },
    );
  }
  return error;
}
