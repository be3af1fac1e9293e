import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Flushes a file's data and metadata to stable storage. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flushes a directory, making a rename or link inside it durable. Platforms that cannot open a
 * directory (Windows) make renames durable on their own: there this does nothing.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    if (isCode(error, 'EISDIR', 'EPERM', 'EACCES')) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!isCode(error, 'EINVAL', 'EPERM', 'EBADF')) throw error;
  } finally {
    closeSync(fd);
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}
