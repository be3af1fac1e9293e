import type { CovinaLogger } from '../../src/connection/index.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: object;
}

/** A logger that keeps every line, for asserting on what would have been logged. */
export function captureLogger(): CovinaLogger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: object, msg?: string) => {
    lines.push({ level, msg, fields });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () =>
      lines.map((line) => `${line.level} ${line.msg ?? ''} ${JSON.stringify(line.fields)}`).join('\n'),
  };
}

/** Polls `check` every 20 ms until it returns true, failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const silentLogger: CovinaLogger = { debug() {}, info() {}, warn() {}, error() {} };
