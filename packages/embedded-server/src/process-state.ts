import { execFile } from 'node:child_process';
import { readFile, readlink, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * True while `pid` runs. A zombie counts as gone: in containers whose init never reaps orphans,
 * a dead server can stay a zombie for good, holding no port and no file.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return true; // no /proc (macOS): kill(0) is all we can know
  }
}

/** Polls until `pid` has exited; false if it is still running after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !(await isAlive(pid));
}

/**
 * True when `pid` is a redis-server working in `dir`. Checked before signalling a pid read from
 * a file, since pids get reused. Uses /proc on Linux, `ps` elsewhere (name only).
 */
export async function isRedisServerIn(pid: number, dir: string): Promise<boolean> {
  try {
    const [cwd, wanted] = await Promise.all([readlink(`/proc/${pid}/cwd`), realpath(dir)]);
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    return cwd === wanted && /redis/.test(exe);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform === 'linux') return false;
  }
  try {
    const { stdout } = await run('ps', ['-o', 'comm=', '-p', String(pid)]);
    return stdout.includes('redis');
  } catch {
    return false;
  }
}

/** Sends `signal` to `pid`, ignoring "no such process". */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** SIGTERM (after SIGCONT, since a paused process cannot act on it), then SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  signal(pid, 'SIGCONT');
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 2_000);
}
