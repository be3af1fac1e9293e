/**
 * Redis replies that mean "the server cannot serve you right now" rather than "your command is
 * wrong": they are outages, handled by the limiter's failure policy like a timeout.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|OOM|MOVED|ASK)\b/;

/**
 * Is this failure an outage (connection lost, timeout, server busy or loading)? Anything else,
 * such as `WRONGTYPE` or a script error, is a bug that no failure policy should hide.
 */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(error.message);
}
