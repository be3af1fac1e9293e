import { isCovinaError, isUnreachable } from '@covina/core';

// Replies of a server that is up but cannot serve yet (loading its data, failing over).
const NOT_SERVING = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * Did this call fail because Redis could not be reached (so the write belongs in the journal),
 * rather than because Redis refused it (bad input, lost lease: the caller must hear about it)?
 */
export function isConnectionFailure(error: unknown): boolean {
  if (isCovinaError(error, 'E_REDIS_UNAVAILABLE') || isCovinaError(error, 'E_REDIS_TIMEOUT')) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return NOT_SERVING.test(error.message);
  return isUnreachable(error) || error.message.startsWith('Command timed out');
}
