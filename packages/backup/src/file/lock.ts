import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { BackupInProgressError } from '../errors.js';
import { isCode } from './fs-sync.js';

/** A lock whose file was not touched for this long belongs to a dead process. */
const STALE_AFTER_MS = 60_000;
const HEARTBEAT_MS = 10_000;

interface Holder {
  pid: number;
  host: string;
  at: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

/**
 * One writer per backup path, across processes: `<path>.lock`, created exclusively, refreshed
 * while held. A lock left by a crashed process is taken over once its owner is gone (same
 * host, dead pid) or it has not been refreshed for a minute (pid reuse in containers).
 */
export class BackupLock {
  readonly #timer: NodeJS.Timeout;

  private constructor(readonly file: string) {
    this.#timer = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(file, now, now);
      } catch {}
    }, HEARTBEAT_MS);
    this.#timer.unref();
  }

  static acquire(path: string): BackupLock {
    const file = `${path}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        const holder: Holder = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
        writeSync(fd, JSON.stringify(holder));
        closeSync(fd);
        return new BackupLock(file);
      } catch (error) {
        if (!isCode(error, 'EEXIST') || attempt > 0) {
          if (isCode(error, 'EEXIST')) throw BackupLock.#busy(path, file);
          throw error;
        }
        if (!BackupLock.#stale(file)) throw BackupLock.#busy(path, file);
        try {
          unlinkSync(file);
        } catch (unlinkError) {
          if (!isCode(unlinkError, 'ENOENT')) throw unlinkError;
        }
      }
    }
  }

  release(): void {
    clearInterval(this.#timer);
    try {
      unlinkSync(this.file);
    } catch {}
  }

  static #stale(file: string): boolean {
    try {
      const age = Date.now() - statSync(file).mtimeMs;
      if (age > STALE_AFTER_MS) return true;
      const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
      return holder.host === hostname() && !pidAlive(holder.pid);
    } catch (error) {
      // Vanished meanwhile, or half-written by a process that died while creating it.
      return isCode(error, 'ENOENT') || error instanceof SyntaxError;
    }
  }

  static #busy(path: string, file: string): BackupInProgressError {
    let holder: string | undefined;
    try {
      const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
      holder = `pid ${h.pid} on ${h.host} since ${h.at}`;
    } catch {}
    return new BackupInProgressError(
      `Another backup is being written to ${path}${holder ? ` (${holder})` : ''}`,
      { context: holder === undefined ? { path } : { path, holder } },
    );
  }
}
