import { ReplyError } from 'ioredis';
import { isCovinaError } from '../errors/covina-error.js';
import { StateCommandError, StateUnavailableError } from './errors.js';

/** Replies that mean "this server cannot serve you right now", not "your command is wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

/**
 * Maps whatever the client threw to a typed StateStore error, keeping the original as `cause`:
 * Redis error replies become `StateCommandError`, everything else (connection closed, retries
 * exhausted, a guarded client's `E_REDIS_TIMEOUT` or open circuit…) `StateUnavailableError`.
 * The store's own errors (scan timeout, abort) pass through unchanged.
 */
export function toStateError(error: unknown, operation: string, namespace: string): Error {
  if (isCovinaError(error) && error.code.startsWith('E_STATE_')) return error;
  const message = error instanceof Error ? error.message : String(error);
  const context = { operation, namespace };
  if (isReplyError(error) && !TRANSIENT_REPLY.test(message)) {
    return new StateCommandError(
      `StateStore.${operation} (namespace "${namespace}"): Redis replied ${message}`,
      {
        context,
        cause: error,
      },
    );
  }
  return new StateUnavailableError(
    `StateStore.${operation} (namespace "${namespace}"): Redis is unavailable (${message})`,
    { context, cause: error },
  );
}

function isReplyError(error: unknown): boolean {
  // `instanceof` fails across duplicated ioredis copies; the name survives.
  return error instanceof ReplyError || (error instanceof Error && error.name === 'ReplyError');
}
