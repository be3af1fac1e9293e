import { pino } from 'pino';

/** The slice of a pino logger COVINA writes to; a `pino()` logger fits as is. */
export interface CovinaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

let shared: CovinaLogger | undefined;

/**
 * The logger used when none is injected: pino on stderr, at `COVINA_LOG_LEVEL` (default
 * `silent`, so a library never prints unasked). One instance per process.
 */
export function defaultLogger(): CovinaLogger {
  shared ??= pino(
    { name: 'covina', level: process.env.COVINA_LOG_LEVEL ?? 'silent' },
    pino.destination({ dest: 2, sync: true }),
  );
  return shared;
}
