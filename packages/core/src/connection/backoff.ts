/** Reconnect backoff: exponential with jitter, capped. */
export interface BackoffOptions {
  /**
   * Delay before the first reconnect attempt, in ms (before jitter).
   * @default 100
   */
  baseDelayMs?: number;
  /**
   * Upper bound of any one delay, in ms.
   * @default 3000
   */
  maxDelayMs?: number;
  /**
   * Give up reconnecting after this many attempts in a row (the client then ends).
   * @default Infinity
   */
  maxAttempts?: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based), or null to stop: `base · 2^(attempt-1)`
 * capped at `maxDelayMs`, then "equal jitter" (half fixed, half random) so a fleet of clients
 * does not reconnect in lockstep after a Redis restart, yet no delay collapses to zero.
 */
export function reconnectDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number | null {
  const { baseDelayMs = 100, maxDelayMs = 3000, maxAttempts = Number.POSITIVE_INFINITY } = options;
  if (attempt > maxAttempts) return null;
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
