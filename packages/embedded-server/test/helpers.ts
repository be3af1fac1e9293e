import { readdir, readFile } from 'node:fs/promises';
import type { Logger } from '../src/index.js';

/** A logger that remembers what it was told, to assert on what gets logged. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; msg?: string; obj: object }> } {
  const lines: Array<{ level: string; msg?: string; obj: object }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, ...(msg ? { msg } : {}) }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, ...(msg ? { msg } : {}) }),
  };
}

export const quiet: Logger = { info() {}, warn() {} };

/** Pids of the processes whose parent is `pid`, with their command name (Linux /proc). */
export async function childrenOf(pid: number): Promise<Array<{ pid: number; comm: string }>> {
  const found: Array<{ pid: number; comm: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match && Number(match[2]) === pid) found.push({ pid: Number(entry), comm: match[1] ?? '' });
  }
  return found;
}

/** Polls `check` every 50 ms for at most `timeoutMs`; returns whether it became true. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
