/** The slice of a pino-style logger this package writes to: pass a pino logger as is. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;

/** Default logger: one JSON line per event on stderr, quiet below COVINA_LOG_LEVEL (default info). */
export function defaultLogger(): Logger {
  const threshold = levels[(process.env.COVINA_LOG_LEVEL ?? 'info') as keyof typeof levels] ?? levels.info;
  const write = (level: keyof typeof levels) => (obj: object, msg?: string) => {
    if (levels[level] < threshold) return;
    process.stderr.write(`${JSON.stringify({ level, name: 'embedded-redis', msg, ...obj })}\n`);
  };
  return { info: write('info'), warn: write('warn') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {} };
