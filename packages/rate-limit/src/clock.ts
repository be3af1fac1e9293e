/** Milliseconds on a monotonic clock: for local waits (block list, probes), immune to clock steps. */
export const monotonicMs = (): number => performance.now();

/** Microseconds since the epoch, for the in-memory limiter (whose state never leaves the process). */
export const epochUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);
